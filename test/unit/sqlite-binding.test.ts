import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronSqlitePath, sqliteBinding } from '../../src/main/sqliteBinding';

describe('better-sqlite3 built for Electron', () => {
  const appPath = '/home/me/teamline';
  const built = join(appPath, '.cache', 'sqlite-electron', '39.8.10', 'better_sqlite3.node');

  it('lives where scripts/sqlite-abi.mjs puts it, one per Electron version', () => {
    expect(electronSqlitePath(appPath, '39.8.10')).toBe(built);
  });

  it('is used in dev and preview when it has been built', () => {
    const ctx = { appPath, electronVersion: '39.8.10', isPackaged: false };
    expect(sqliteBinding({ ...ctx, exists: (f) => f === built })).toBe(built);
    expect(sqliteBinding({ ...ctx, exists: () => false })).toBeUndefined();
  });

  it('is never used by a packaged app or outside Electron', () => {
    expect(
      sqliteBinding({ appPath, electronVersion: '39.8.10', isPackaged: true, exists: () => true }),
    ).toBeUndefined();
    expect(
      sqliteBinding({ appPath, electronVersion: undefined, isPackaged: false, exists: () => true }),
    ).toBeUndefined();
  });
});
