import Database from 'better-sqlite3';
import { migrations as allMigrations, type Migration } from './migrations';
import { keepStatisticsFresh } from './statistics';

export type Db = Database.Database;

export interface OpenOptions {
  nativeBinding?: string | undefined;
  migrations?: readonly Migration[];
}

/**
 * Opens (creating if needed) the account database and brings its schema up to
 * date. WAL for concurrent readers; synchronous=FULL so that an acknowledged
 * access change survives a power cut or a killed process.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const db = new Database(path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma('foreign_keys = ON');
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    // A page of 50 calls reads a few hundred B-tree pages spread over the file;
    // SQLite's default 2 MiB cache keeps few of them between requests, and each
    // miss is a read() of the OS cache. 32 MiB (taken only as pages are read)
    // keeps the working set of busy lists (docs/performance.md, "Memory").
    db.pragma('cache_size = -32768');
    migrate(db, options.migrations ?? allMigrations);
    // A file that lives on: the planner's statistics follow its growth.
    if (path !== ':memory:') keepStatisticsFresh(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export class MigrationError extends Error {}

/**
 * Strict runner: versions must be 1..n without gaps; a database written by a
 * newer version of the app is refused rather than guessed at; all pending
 * migrations run in one transaction, so a failure leaves the old schema whole.
 */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new MigrationError(`Migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) {
    throw new MigrationError(
      `This database was written by a newer version of the app (schema ${current}, this app knows ${latest}).`,
    );
  }
  const pending = migrations.slice(current);
  if (pending.length === 0) return current;
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  })();
  const problems = db.pragma('foreign_key_check') as unknown[];
  if (problems.length > 0) throw new MigrationError('Foreign key check failed after migration');
  return latest;
}
