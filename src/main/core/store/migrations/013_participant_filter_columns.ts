/**
 * Filters that a visibility branch does not share (docs/performance.md,
 * "Filters on wide branches"):
 *
 * - A participant row copies the call's direction, result, business number,
 *   flow and group (as it already copies started_at and has_voicemail; a
 *   call's columns do not change once recorded). The participant branch of a
 *   filtered list then tests them on its own primary key (the table is
 *   WITHOUT ROWID, so the key's B-tree holds the row) instead of reading the
 *   call of every row it passes.
 * - (user, group | BN | flow, time) indexes on participants: a team member's
 *   calls within one group, number or flow are one range in list order, so a
 *   team-member filter reads that member's calls of each branch directly,
 *   and the participant branch filtered by a key reads only that key's calls.
 * - Internal calls get partial indexes of their own for each branch kind:
 *   they are a small share of the calls and carry no number or flow, so an
 *   `internal` filter on a number, flow or group branch is an empty or short
 *   range instead of a walk of the whole branch.
 * - One index per pair of keys, for a branch filtered by a key it does not
 *   share (a Manager's numbers by a flow or a group, a flow agent's flows by
 *   a number or a group, a group agent's groups by a number or a flow):
 *   walking either key's index passes every call of the one until enough of
 *   the other are found, and all of it when none are; the pair's index makes
 *   the branch one exact range in list order. A call has at most one group,
 *   flow and number, so three indexes serve the six combinations; they carry
 *   the columns the other filters test, like the branch indexes.
 *
 * insertCall writes the copies; the trigger fills them for any other insert.
 */
export const sql = `
ALTER TABLE call_participants ADD COLUMN direction TEXT;
ALTER TABLE call_participants ADD COLUMN result TEXT;
ALTER TABLE call_participants ADD COLUMN bn_id INTEGER;
ALTER TABLE call_participants ADD COLUMN call_flow_id INTEGER;
ALTER TABLE call_participants ADD COLUMN group_id INTEGER;
UPDATE call_participants SET (direction, result, bn_id, call_flow_id, group_id) =
  (SELECT c.direction, c.result, c.bn_id, c.call_flow_id, c.group_id FROM calls c WHERE c.id = call_participants.call_id);
CREATE TRIGGER call_participants_copy AFTER INSERT ON call_participants WHEN new.direction IS NULL BEGIN
  UPDATE call_participants SET (direction, result, bn_id, call_flow_id, group_id) =
    (SELECT c.direction, c.result, c.bn_id, c.call_flow_id, c.group_id FROM calls c WHERE c.id = new.call_id)
   WHERE user_id = new.user_id AND started_at = new.started_at AND call_id = new.call_id;
END;
CREATE INDEX call_participants_group_time ON call_participants(user_id, group_id, started_at, call_id, direction, result, has_voicemail)
  WHERE group_id IS NOT NULL;
CREATE INDEX call_participants_bn_time ON call_participants(user_id, bn_id, started_at, call_id, direction, result, has_voicemail)
  WHERE bn_id IS NOT NULL;
CREATE INDEX call_participants_flow_time ON call_participants(user_id, call_flow_id, started_at, call_id, direction, result, has_voicemail)
  WHERE call_flow_id IS NOT NULL;
CREATE INDEX call_participants_internal_time ON call_participants(user_id, started_at, call_id, result, has_voicemail, bn_id, call_flow_id, group_id)
  WHERE direction = 'internal';
CREATE INDEX calls_group_internal_time ON calls(group_id, started_at, id, call_flow_id, bn_id, result, has_voicemail, account_id)
  WHERE direction = 'internal' AND group_id IS NOT NULL;
CREATE INDEX calls_flow_internal_time ON calls(call_flow_id, started_at, id, group_id, bn_id, result, has_voicemail, account_id)
  WHERE direction = 'internal' AND call_flow_id IS NOT NULL;
CREATE INDEX calls_bn_internal_time ON calls(bn_id, started_at, id, group_id, call_flow_id, result, has_voicemail, account_id)
  WHERE direction = 'internal' AND bn_id IS NOT NULL;
CREATE INDEX calls_bn_flow_time ON calls(bn_id, call_flow_id, started_at, id, group_id, direction, result, has_voicemail, account_id)
  WHERE bn_id IS NOT NULL AND call_flow_id IS NOT NULL;
CREATE INDEX calls_group_bn_time ON calls(group_id, bn_id, started_at, id, call_flow_id, direction, result, has_voicemail, account_id)
  WHERE group_id IS NOT NULL AND bn_id IS NOT NULL;
CREATE INDEX calls_flow_group_time ON calls(call_flow_id, group_id, started_at, id, bn_id, direction, result, has_voicemail, account_id)
  WHERE call_flow_id IS NOT NULL AND group_id IS NOT NULL;
`;
