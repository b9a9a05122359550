import { writeAudit } from '../api/audit';
import type { Db } from '../store/db';
import { stmt } from '../store/stmt';
import { dataDirOf, removeRecordingFile } from './files';
import { cleanOrphanRecordings } from './orphans';

const DAY = 86_400_000;
/** Rows deleted per transaction, so a large first run never holds the database for long. */
const BATCH = 500;
/** How often the app looks for expired recordings while it runs. */
export const RETENTION_INTERVAL_MS = 3_600_000;

export interface RetentionResult {
  deleted: number;
  filesRemoved: number;
  /** Accounts that lost recordings, to tell their members. */
  accountIds: number[];
}

/**
 * Deletes every recording older than its account's retention (started before
 * now − days; accounts without a retention keep theirs): the row and its file,
 * and nothing else — the call, its notes, tags and voicemail stay. Each
 * deletion is an audit event of the account without an actor (the system),
 * written in the transaction that deletes the row; files go once it commits.
 * A call left without recordings says so in its details ("deleted").
 */
export function enforceRetention(db: Db, now: number): RetentionResult {
  const dir = dataDirOf(db);
  const result: RetentionResult = { deleted: 0, filesRemoved: 0, accountIds: [] };
  const accounts = stmt(
    db,
    'SELECT id, recording_retention_days AS days FROM accounts WHERE recording_retention_days IS NOT NULL',
  ).all() as { id: number; days: number }[];
  for (const a of accounts) {
    const cutoff = now - a.days * DAY;
    for (;;) {
      const paths = db
        .transaction(() => {
          const rows = stmt(
            db,
            `SELECT id, call_id, path, duration_ms, started_at FROM recordings
            WHERE account_id = ? AND started_at < ? ORDER BY started_at, id LIMIT ${BATCH}`,
          ).all(a.id, cutoff) as {
            id: number;
            call_id: number;
            path: string;
            duration_ms: number;
            started_at: number;
          }[];
          for (const r of rows) {
            stmt(db, 'DELETE FROM recordings WHERE id = ?').run(r.id);
            markIfNone(db, r.call_id);
            writeAudit(db, {
              accountId: a.id,
              at: now,
              actorUserId: null,
              action: 'recording.expire',
              targetType: 'call',
              targetId: r.call_id,
              summary: `Deleted a recording of call ${r.call_id} after the account's retention of ${a.days} days`,
              before: { recordingId: r.id, startedAt: r.started_at, durationMs: r.duration_ms },
              after: null,
            });
          }
          return rows.map((r) => r.path);
        })
        .immediate();
      result.deleted += paths.length;
      if (paths.length > 0 && !result.accountIds.includes(a.id)) result.accountIds.push(a.id);
      if (dir !== null)
        for (const p of paths) {
          try {
            if (removeRecordingFile(dir, p)) result.filesRemoved++;
          } catch (error) {
            console.error(`Removing the expired recording ${p} failed`, error);
          }
        }
      if (paths.length < BATCH) break;
    }
  }
  return result;
}

/** A call whose last recording went says its recording was deleted. */
export function markIfNone(db: Db, callId: number): void {
  stmt(
    db,
    `UPDATE calls SET recording_state = 'deleted'
      WHERE id = ? AND NOT EXISTS (SELECT 1 FROM recordings WHERE call_id = ?)`,
  ).run(callId, callId);
}

/**
 * Runs retention soon after start and then every hour, off the request path;
 * the first run cleans what a crash left behind first.
 * Returns a function that stops it.
 */
export function startRetention(db: Db, now: () => number, onDeleted: (accountIds: number[]) => void): () => void {
  let first = true;
  const run = () => {
    try {
      if (!db.open) return;
      if (first) {
        // What a crash left behind goes once, at start (src/main/core/recordings/orphans.ts).
        first = false;
        const o = cleanOrphanRecordings(db, now());
        if (o.accountIds.length > 0) onDeleted(o.accountIds);
      }
      const r = enforceRetention(db, now());
      if (r.accountIds.length > 0) onDeleted(r.accountIds);
    } catch (error) {
      console.error('Enforcing the recording retention failed', error);
    }
  };
  const soon = setTimeout(run, 1000);
  soon.unref();
  const every = setInterval(run, RETENTION_INTERVAL_MS);
  every.unref();
  return () => {
    clearTimeout(soon);
    clearInterval(every);
  };
}
