/**
 * Two lookups that make the last slow filters of the calls list exact ranges
 * (docs/performance.md, "Searches and filters", "Filters on wide branches"):
 *
 * - external_number_parts: every suffix of three characters or more of each
 *   outside number (external_numbers, migration 004), keyed (account, suffix).
 *   A number contains some digits exactly when one of its suffixes starts
 *   with them, so a search for any part of a number is one range of this
 *   index: it reads as many entries as numbers match (a search that matches
 *   nothing is one seek), where the trigram index read the posting list of
 *   every trigram of the search, and the trigrams of a whole number are all
 *   common (a few thousand numbers each at 1M calls).
 * - call_coparticipants: for each call, each ordered pair of its distinct
 *   participants, keyed (user, other user, time, call). The calls a person
 *   shares with a team member (the team-member filter on someone's own
 *   calls) are one range in list order, where the list walked all of the
 *   person's calls and probed the member's key for each.
 *
 * - call_participants.external_number: a participant row also copies its
 *   call's outside number (as it copies the call's other list columns,
 *   migrations 002 and 013), under (user, number, time): the calls of a
 *   search's numbers that someone took part in are one range per number of
 *   their own rows, where the number-driven page read every call of those
 *   numbers and probed its participants for the user (4,700 calls for a
 *   contact's name at 1M calls).
 * - message_threads_group_bn_time: a group's conversations with one
 *   business number, in list order. A messages list filtered by a number,
 *   for someone who sees some groups, walked that number's conversations
 *   once per group and read each one's group from the table (all of them
 *   when none match).
 *
 * Triggers keep the copies: a new outside number adds its suffixes; a
 * participant added, moved (its start follows the call, migration 015) or
 * removed adds, moves or removes its pairs; a participant added without its
 * call's number gets it, and a call's number corrected moves its
 * participants' copies.
 */
export const sql = `
CREATE TABLE external_number_parts (
  account_id INTEGER NOT NULL,
  part       TEXT NOT NULL,
  number_id  INTEGER NOT NULL,
  PRIMARY KEY (account_id, part, number_id)
) STRICT, WITHOUT ROWID;

INSERT INTO external_number_parts (account_id, part, number_id)
  WITH RECURSIVE s(account_id, number_id, number, i) AS (
    SELECT account_id, id, number, 1 FROM external_numbers WHERE length(number) >= 3
    UNION ALL
    SELECT account_id, number_id, number, i + 1 FROM s WHERE i + 1 <= length(number) - 2
  )
  SELECT DISTINCT account_id, substr(number, i), number_id FROM s;

CREATE TRIGGER external_numbers_parts AFTER INSERT ON external_numbers WHEN length(new.number) >= 3 BEGIN
  INSERT OR IGNORE INTO external_number_parts (account_id, part, number_id)
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i + 1 <= length(new.number) - 2)
    SELECT new.account_id, substr(new.number, i), new.id FROM s;
END;
CREATE TRIGGER external_numbers_parts_gone AFTER DELETE ON external_numbers BEGIN
  DELETE FROM external_number_parts WHERE account_id = old.account_id AND number_id = old.id;
END;

CREATE TABLE call_coparticipants (
  user_id    INTEGER NOT NULL,
  other_id   INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  call_id    INTEGER NOT NULL,
  PRIMARY KEY (user_id, other_id, started_at, call_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX call_coparticipants_call ON call_coparticipants(call_id);

INSERT INTO call_coparticipants (user_id, other_id, started_at, call_id)
  SELECT a.user_id, b.user_id, a.started_at, a.call_id
    FROM call_participants a JOIN call_participants b ON b.call_id = a.call_id AND b.user_id <> a.user_id;

CREATE TRIGGER call_coparticipants_add AFTER INSERT ON call_participants BEGIN
  INSERT OR IGNORE INTO call_coparticipants (user_id, other_id, started_at, call_id)
    SELECT new.user_id, o.user_id, new.started_at, new.call_id FROM call_participants o
     WHERE o.call_id = new.call_id AND o.user_id <> new.user_id
    UNION ALL
    SELECT o.user_id, new.user_id, o.started_at, new.call_id FROM call_participants o
     WHERE o.call_id = new.call_id AND o.user_id <> new.user_id;
END;
CREATE TRIGGER call_coparticipants_remove AFTER DELETE ON call_participants BEGIN
  DELETE FROM call_coparticipants WHERE call_id = old.call_id AND (user_id = old.user_id OR other_id = old.user_id);
END;
CREATE TRIGGER call_coparticipants_move AFTER UPDATE OF user_id, started_at, call_id ON call_participants BEGIN
  DELETE FROM call_coparticipants WHERE call_id = old.call_id AND (user_id = old.user_id OR other_id = old.user_id);
  INSERT OR IGNORE INTO call_coparticipants (user_id, other_id, started_at, call_id)
    SELECT new.user_id, o.user_id, new.started_at, new.call_id FROM call_participants o
     WHERE o.call_id = new.call_id AND o.user_id <> new.user_id
    UNION ALL
    SELECT o.user_id, new.user_id, o.started_at, new.call_id FROM call_participants o
     WHERE o.call_id = new.call_id AND o.user_id <> new.user_id;
END;

ALTER TABLE call_participants ADD COLUMN external_number TEXT;
UPDATE call_participants SET external_number = (SELECT c.external_number FROM calls c WHERE c.id = call_participants.call_id);
CREATE TRIGGER call_participants_number AFTER INSERT ON call_participants WHEN new.external_number IS NULL BEGIN
  UPDATE call_participants SET external_number = (SELECT c.external_number FROM calls c WHERE c.id = new.call_id)
   WHERE user_id = new.user_id AND started_at = new.started_at AND call_id = new.call_id;
END;
CREATE TRIGGER call_participants_number_follow AFTER UPDATE OF external_number ON calls BEGIN
  UPDATE call_participants SET external_number = new.external_number
   WHERE call_id = new.id AND external_number IS NOT new.external_number;
END;
CREATE INDEX call_participants_number ON call_participants(user_id, external_number, started_at, call_id)
  WHERE external_number IS NOT NULL;

CREATE INDEX message_threads_group_bn_time ON message_threads(assigned_group_id, bn_id, last_message_at, id)
  WHERE assigned_group_id IS NOT NULL;
`;
