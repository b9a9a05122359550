/**
 * Call recordings (docs/policy-decisions.md, "Call recordings"):
 *
 * - recordings: one row per recorded stretch of a call (an on-demand
 *   recording stopped and started again makes two). The audio is a file in
 *   the data directory; `path` is relative to it, so a moved data directory
 *   keeps its recordings. Deleting a recording removes the row and the file;
 *   the audit event keeps who and when. A recording has no visibility of its
 *   own: it is read only through its call's visibility branches.
 * - calls.recording_state: what the call's details say when there is no
 *   audio to play — never recorded, recording under way, recorded, failed
 *   (the call was not recorded), or its recordings were deleted.
 * - record_mode on business numbers and call flows, and for internal calls
 *   on the account; a flow's recording notice (NULL: the default notice).
 * - accounts.recording_retention_days: recordings older than this are
 *   deleted by the app; NULL keeps them.
 * - manager_permissions takes `deleteRecordings`, the permission an
 *   Administrator gives a Manager to delete recordings (SQLite cannot change
 *   a CHECK, so the table is rebuilt with the same rows).
 */
export const sql = /* sql */ `
CREATE TABLE recordings (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  call_id     INTEGER NOT NULL REFERENCES calls(id),
  path        TEXT NOT NULL UNIQUE CHECK (length(path) BETWEEN 1 AND 400 AND path NOT GLOB '/*' AND path NOT LIKE '%..%'),
  format      TEXT NOT NULL DEFAULT 'wav' CHECK (format IN ('wav')),
  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
  size_bytes  INTEGER NOT NULL CHECK (size_bytes >= 0),
  started_at  INTEGER NOT NULL,
  -- An on-demand recording names the member who pressed Record.
  started_by  INTEGER REFERENCES users(id),
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX recordings_call ON recordings(call_id, started_at, id);
CREATE INDEX recordings_account_time ON recordings(account_id, started_at, id);

ALTER TABLE calls ADD COLUMN recording_state TEXT NOT NULL DEFAULT 'none'
  CHECK (recording_state IN ('none','recording','recorded','failed','deleted'));

ALTER TABLE business_numbers ADD COLUMN record_mode TEXT NOT NULL DEFAULT 'never'
  CHECK (record_mode IN ('always','never','on_demand'));
ALTER TABLE call_flows ADD COLUMN record_mode TEXT NOT NULL DEFAULT 'never'
  CHECK (record_mode IN ('always','never','on_demand'));
ALTER TABLE call_flows ADD COLUMN recording_notice TEXT
  CHECK (recording_notice IS NULL OR length(recording_notice) BETWEEN 1 AND 500);
ALTER TABLE accounts ADD COLUMN internal_record_mode TEXT NOT NULL DEFAULT 'never'
  CHECK (internal_record_mode IN ('always','never','on_demand'));
ALTER TABLE accounts ADD COLUMN recording_retention_days INTEGER DEFAULT 90
  CHECK (recording_retention_days IS NULL OR recording_retention_days BETWEEN 1 AND 3650);

CREATE TABLE manager_permissions_new (
  user_id    INTEGER NOT NULL REFERENCES users(id),
  permission TEXT NOT NULL CHECK (permission IN ('callFlows','numbers','billing','groups','addUsers','userSettings','userAccess','deleteRecordings')),
  PRIMARY KEY (user_id, permission)
) STRICT, WITHOUT ROWID;
INSERT INTO manager_permissions_new (user_id, permission) SELECT user_id, permission FROM manager_permissions;
DROP TABLE manager_permissions;
ALTER TABLE manager_permissions_new RENAME TO manager_permissions;
`;
