import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { writeAudit } from '../api/audit';
import type { Db } from '../store/db';
import { stmt } from '../store/stmt';
import { RECORDINGS_FOLDER, recordingFile } from './index';
import { dataDirOf, removeRecordingFile } from './files';

/**
 * What a crash leaves behind, cleaned at start (docs/policy-decisions.md,
 * "Call recordings"):
 * - a WAV in the recordings folder that no recording names (the app stopped
 *   between writing the mix and registering it): removed, once older than
 *   GRACE_MS so a recording being saved right now is never touched;
 * - a recording whose file is gone: the row is deleted (it cannot be played)
 *   and audited as the system (`recording.lost`); a call left without
 *   recordings says it failed. When the recordings folder is missing, or most
 *   files of many recordings are (a disk not mounted, a data folder restored
 *   without them), nothing is deleted: that is logged for an administrator;
 * - a call whose recording was being saved when the app stopped: it failed.
 * rtpengine's spool (pcaps, metadata) is emptied by the recorder as it starts.
 */

/** A file this young, or a call that ended this recently, may still be being saved. */
export const GRACE_MS = 10 * 60_000;
/** Above this many recordings, a majority of them missing means the folder is not there, not a crash. */
const MASS_LOSS_MIN = 10;
const BATCH = 1000;

export interface OrphanResult {
  filesRemoved: number;
  rowsDeleted: number;
  callsFailed: number;
  /** Why missing files were left alone (a missing folder, most files gone); null when they were not. */
  skipped: string | null;
  accountIds: number[];
}

function wavFiles(dir: string, rel: string, out: string[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(join(dir, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = `${rel}/${e.name}`;
    if (e.isDirectory()) wavFiles(dir, path, out);
    else if (e.isFile() && e.name.endsWith('.wav')) out.push(path);
  }
}

/** A call whose last recording was lost (its file missing) says it was not recorded. */
export function markFailedIfNone(db: Db, callId: number): void {
  stmt(
    db,
    `UPDATE calls SET recording_state = 'failed'
      WHERE id = ? AND NOT EXISTS (SELECT 1 FROM recordings WHERE call_id = ?)`,
  ).run(callId, callId);
}

export function cleanOrphanRecordings(db: Db, now: number, log: (m: string) => void = console.error): OrphanResult {
  const result: OrphanResult = { filesRemoved: 0, rowsDeleted: 0, callsFailed: 0, skipped: null, accountIds: [] };
  const touched = new Set<number>();

  // Calls whose recording was being saved when the app stopped.
  const stale = stmt(
    db,
    `SELECT id, account_id FROM calls WHERE recording_state = 'recording' AND COALESCE(ended_at, started_at) < ?`,
  ).all(now - GRACE_MS) as { id: number; account_id: number }[];
  for (const c of stale) {
    result.callsFailed += stmt(
      db,
      `UPDATE calls SET recording_state = 'failed'
        WHERE id = ? AND recording_state = 'recording' AND NOT EXISTS (SELECT 1 FROM recordings WHERE call_id = ?)`,
    ).run(c.id, c.id).changes;
    touched.add(c.account_id);
  }

  const dir = dataDirOf(db);
  if (dir === null) return { ...result, accountIds: [...touched] };

  // Files no recording names.
  const files: string[] = [];
  wavFiles(dir, RECORDINGS_FOLDER, files);
  const named = stmt(db, 'SELECT 1 FROM recordings WHERE path = ?');
  for (const path of files) {
    if (named.get(path)) continue;
    try {
      if (statSync(join(dir, path)).mtimeMs > now - GRACE_MS) continue;
      if (removeRecordingFile(dir, path)) result.filesRemoved++;
    } catch (error) {
      log(`Removing the orphaned recording file ${path} failed: ${String(error)}`);
    }
  }

  // Recordings whose file is gone.
  const missing: { id: number; account_id: number; call_id: number; path: string; started_at: number }[] = [];
  let total = 0;
  let after = 0;
  for (;;) {
    const rows = stmt(
      db,
      `SELECT id, account_id, call_id, path, started_at FROM recordings WHERE id > ? ORDER BY id LIMIT ${BATCH}`,
    ).all(after) as (typeof missing)[number][];
    if (rows.length === 0) break;
    total += rows.length;
    after = rows.at(-1)!.id;
    for (const r of rows) {
      let there = false;
      try {
        there = statSync(recordingFile(dir, r.path)).isFile();
      } catch {
        there = false;
      }
      if (!there) missing.push(r);
    }
  }
  if (missing.length > 0) {
    let folder = false;
    try {
      folder = statSync(join(dir, RECORDINGS_FOLDER)).isDirectory();
    } catch {
      folder = false;
    }
    if (!folder) result.skipped = `the recordings folder ${join(dir, RECORDINGS_FOLDER)} is missing`;
    else if (total >= MASS_LOSS_MIN && missing.length * 2 > total)
      result.skipped = `${missing.length} of ${total} recordings have no file`;
    if (result.skipped !== null) {
      log(`Recordings whose files are missing are kept, since ${result.skipped}: is the data folder complete?`);
    } else {
      db.transaction(() => {
        for (const r of missing) {
          stmt(db, 'DELETE FROM recordings WHERE id = ?').run(r.id);
          markFailedIfNone(db, r.call_id);
          writeAudit(db, {
            accountId: r.account_id,
            at: now,
            actorUserId: null,
            action: 'recording.lost',
            targetType: 'call',
            targetId: r.call_id,
            summary: `Removed a recording of call ${r.call_id} whose file was missing (${r.path})`,
            before: { recordingId: r.id, startedAt: r.started_at, path: r.path },
            after: null,
          });
          touched.add(r.account_id);
        }
      }).immediate();
      result.rowsDeleted = missing.length;
    }
  }
  result.accountIds = [...touched];
  return result;
}
