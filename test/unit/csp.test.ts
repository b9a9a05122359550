import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp';

const directives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name ?? '', sources.join(' ')]),
  );

describe('Content-Security-Policy', () => {
  const policy = directives(CONTENT_SECURITY_POLICY);

  it('runs only our own scripts and loads no plugins or foreign bases', () => {
    expect(policy.get('default-src')).toBe("'self'");
    expect(policy.get('script-src')).toBe("'self'");
    expect(policy.get('object-src')).toBe("'none'");
    expect(policy.get('base-uri')).toBe("'none'");
    expect(policy.get('frame-ancestors')).toBe("'none'");
    // No wildcard host and no whole scheme (a port wildcard on loopback is fine).
    const sources = [...policy.values()].flatMap((v) => v.split(' '));
    expect(sources.filter((s) => s === '*' || s === "'unsafe-eval'" || /^https?:$/.test(s))).toEqual([]);
  });

  it('is the same in index.html as in the response header (less what a meta tag ignores)', () => {
    const html = readFileSync(join(__dirname, '../../src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const headerOnly = ['frame-ancestors', 'report-uri', 'sandbox'];
    const expected = new Map([...policy].filter(([name]) => !headerOnly.includes(name)));
    // The desktop window loads its page from a file, where no header applies: the
    // meta tag alone must let a joined desktop's softphone reach its team server,
    // whose name is only known at run time (docs/security.md, "Joined desktops").
    expected.set('connect-src', `${policy.get('connect-src')} wss:`);
    expect(directives(meta ?? '')).toEqual(expected);
  });
});
