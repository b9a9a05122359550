import Database from 'better-sqlite3';
import { E2E_DB } from './paths';

/** Read-only access to the e2e host's database, to know what each user should see. */
export function openE2eDb(): Database.Database {
  return new Database(E2E_DB, { readonly: true, fileMustExist: true });
}

export function userId(db: Database.Database, key: string): number {
  return db.prepare('SELECT id FROM users WHERE email = ?').pluck().get(`${key}@teamline.demo`) as number;
}
