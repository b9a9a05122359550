/**
 * Searches and filters that answer from an index (docs/performance.md,
 * "Searches and filters"):
 *
 * - external_numbers: every outside number the account has called, been
 *   called from or texted with, once, with how many calls carry it. A search
 *   for digits finds the numbers that contain them here, through a trigram
 *   index (FTS5, any substring of three characters or more), and then the
 *   calls or threads of those numbers; numbers are few next to calls (at the
 *   bench's 1M calls, 180,000), so a search that matches nothing costs a
 *   lookup instead of a scan of everything the user may see. `calls` is the
 *   planner's estimate of what a number-driven page will read. Triggers keep
 *   it, so every writer of calls and threads (the app, the demo seed, imports)
 *   stays in step.
 * - calls_number replaces calls_external (account, number, time): it also
 *   carries every column a visibility branch or a list filter tests, so a
 *   page driven by a search's numbers decides each call from the index alone
 *   and reads no table row for the calls it leaves out.
 * - message_threads_number: the same for threads.
 */
export const sql = /* sql */ `
CREATE TABLE external_numbers (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  number     TEXT NOT NULL,
  calls      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX external_numbers_number ON external_numbers(account_id, number);

INSERT INTO external_numbers (account_id, number, calls)
  SELECT account_id, external_number, count(*) FROM calls WHERE external_number IS NOT NULL GROUP BY account_id, external_number;
INSERT OR IGNORE INTO external_numbers (account_id, number) SELECT DISTINCT account_id, external_number FROM message_threads;

CREATE VIRTUAL TABLE external_numbers_fts USING fts5(
  number, content = 'external_numbers', content_rowid = 'id', tokenize = 'trigram', detail = 'none'
);
INSERT INTO external_numbers_fts (external_numbers_fts) VALUES ('rebuild');

CREATE TRIGGER external_numbers_indexed AFTER INSERT ON external_numbers BEGIN
  INSERT INTO external_numbers_fts (rowid, number) VALUES (new.id, new.number);
END;
CREATE TRIGGER calls_external_number AFTER INSERT ON calls WHEN new.external_number IS NOT NULL BEGIN
  INSERT INTO external_numbers (account_id, number, calls) VALUES (new.account_id, new.external_number, 1)
    ON CONFLICT (account_id, number) DO UPDATE SET calls = calls + 1;
END;
CREATE TRIGGER message_threads_external_number AFTER INSERT ON message_threads BEGIN
  INSERT INTO external_numbers (account_id, number) VALUES (new.account_id, new.external_number)
    ON CONFLICT (account_id, number) DO NOTHING;
END;

CREATE INDEX calls_number ON calls(account_id, external_number, started_at, id, group_id, call_flow_id, bn_id, direction, result, has_voicemail)
  WHERE external_number IS NOT NULL;
DROP INDEX calls_external;

CREATE INDEX message_threads_number ON message_threads(account_id, external_number, last_message_at, id, assigned_group_id, bn_id);
`;
