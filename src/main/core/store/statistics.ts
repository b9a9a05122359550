import type { Db } from './db';

/** How often a long-running app brings the planner's statistics up to date. */
export const STATISTICS_EVERY_MS = 6 * 60 * 60 * 1000;

/**
 * Brings the query planner's statistics up to date (docs/performance.md,
 * "Statistics"): `PRAGMA optimize` analyzes the tables whose size changed a
 * lot since they were last analyzed (0x10002: every table, also on a first
 * run), reading at most `analysis_limit` rows per index, so it costs
 * milliseconds at a million calls. Only the per-index averages
 * (sqlite_stat1) are kept: with the samples of sqlite_stat4, SQLite plans a
 * statement for the values bound to it and so compiles every list statement
 * again on every request (the cost that `LIMIT ?` once had), and the list
 * plans that depend on a value are chosen by the app (policy/listSql.ts).
 */
export function refreshStatistics(db: Db): void {
  db.pragma('analysis_limit = 400');
  db.pragma('optimize = 0x10002');
  const stat4 = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4'").get();
  if (stat4 && db.prepare('SELECT 1 FROM sqlite_stat4 LIMIT 1').get()) {
    db.exec('DELETE FROM sqlite_stat4');
    // Loads the statistics that remain into this connection's planner.
    db.exec('ANALYZE sqlite_schema');
  }
}

/** Statistics now and every few hours while the database is open; the returned function stops the timer. */
export function keepStatisticsFresh(db: Db, every = STATISTICS_EVERY_MS): () => void {
  refreshStatistics(db);
  const timer = setInterval(() => {
    if (db.open) refreshStatistics(db);
    else clearInterval(timer);
  }, every);
  timer.unref();
  return () => clearInterval(timer);
}
