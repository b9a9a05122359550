import type Database from 'better-sqlite3';
import type { Db } from './db';

const caches = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per database and SQL text. */
export function stmt(db: Db, sql: string): Database.Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

export const ids = (db: Db, sql: string, ...params: unknown[]): number[] =>
  stmt(db, sql).pluck().all(...params) as number[];
