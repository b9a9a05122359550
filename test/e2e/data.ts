import Database from 'better-sqlite3';
import { join } from 'node:path';

/** Read-only access to the e2e host's database, to know what each user should see. */
export function openE2eDb(): Database.Database {
  return new Database(join(import.meta.dirname, '../../.cache/e2e/teamline.db'), { readonly: true, fileMustExist: true });
}

export function userId(db: Database.Database, key: string): number {
  return db.prepare('SELECT id FROM users WHERE email = ?').pluck().get(`${key}@teamline.demo`) as number;
}
