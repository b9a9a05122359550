import { describe, expect, it } from 'vitest';
import { suggestedExportName } from '../../src/main/remote/exportDownload';

describe("a joined desktop's save dialog for an export", () => {
  const now = Date.UTC(2026, 11, 3, 15);
  it('proposes the name the server gave the export', () => {
    expect(suggestedExportName('calls-2026-12-03.csv', now)).toBe('calls-2026-12-03.csv');
    expect(suggestedExportName('audit-log-2026-12-03.csv', now)).toBe('audit-log-2026-12-03.csv');
    expect(suggestedExportName('messages-2026-12-02.csv', now)).toBe('messages-2026-12-02.csv');
  });
  it('takes no path or odd name from the window: a dated name of its own instead', () => {
    for (const bad of [
      '../../.bashrc',
      '/etc/calls-2026-12-03.csv',
      'calls-2026-12-03.csv.exe',
      '',
      undefined,
      42,
      'export.csv',
    ])
      expect(suggestedExportName(bad, now)).toBe('teamline-export-2026-12-03.csv');
  });
});
