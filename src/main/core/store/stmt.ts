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
  stmt(db, sql)
    .pluck()
    .all(...params) as number[];

/**
 * A statement's text built around a list's page query (store/repos/callPage.ts,
 * threadPage.ts), kept per page-query text. Those texts are themselves kept per
 * shape (policy/listSql.ts), so this is found without building or re-hashing a
 * string; the bound only guards against a runaway mix of filters.
 */
export function wrappedSql(cache: Map<string, string>, pageSql: string, wrap: (pageSql: string) => string): string {
  let sql = cache.get(pageSql);
  if (sql === undefined) {
    if (cache.size >= 2000) cache.clear();
    sql = wrap(pageSql);
    cache.set(pageSql, sql);
  }
  return sql;
}
