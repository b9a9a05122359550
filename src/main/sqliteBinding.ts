import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where `scripts/sqlite-abi.mjs electron` puts better-sqlite3 compiled for
 * Electron's ABI (STYLE.md, "Known trap"). The Node build in node_modules is
 * left alone for the tests, so the two never overwrite each other. Keep this
 * path in step with that script.
 */
export function electronSqlitePath(appPath: string, electronVersion: string): string {
  return join(appPath, '.cache', 'sqlite-electron', electronVersion, 'better_sqlite3.node');
}

export interface BindingContext {
  /** `app.getAppPath()`: the project folder under `electron-vite dev|preview`. */
  appPath: string;
  /** `process.versions.electron`. */
  electronVersion: string | undefined;
  /** `app.isPackaged`: a packaged app has its native modules rebuilt for Electron by the packager. */
  isPackaged: boolean;
  exists?: (file: string) => boolean;
}

/**
 * The `nativeBinding` to give better-sqlite3, or undefined for its default
 * lookup (packaged apps, or no Electron build yet — then opening the database
 * fails with NODE_MODULE_VERSION and `missingHint` says what to run).
 */
export function sqliteBinding(ctx: BindingContext): string | undefined {
  if (ctx.isPackaged || !ctx.electronVersion) return undefined;
  const file = electronSqlitePath(ctx.appPath, ctx.electronVersion);
  return (ctx.exists ?? existsSync)(file) ? file : undefined;
}

export const missingHint =
  'better-sqlite3 has no build for this Electron yet: run `npm start` (or `node scripts/sqlite-abi.mjs electron`) to make one.';
