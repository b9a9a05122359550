/**
 * A participant row copies its call's list columns (migrations 002 and 013:
 * start, direction, result, business number, flow, group, voicemail), and the
 * participant branch of a list filters those copies. insertCall writes them
 * and a call's columns do not change once recorded — but nothing enforced the
 * second: a correction of a call's result (an import, a repair by hand) left
 * its participants' copies behind, and a filtered list then counted the call
 * under its old result on one branch and its new one on the others. This
 * trigger keeps the copies equal to the call for every writer, so a result
 * filter shows the same calls on every branch, and the dashboard's rollups
 * (migration 014, which count each call under its current result) answer
 * it (docs/performance.md, "The dashboard").
 */
export const sql = `
CREATE TRIGGER call_participants_follow
  AFTER UPDATE OF started_at, direction, result, bn_id, call_flow_id, group_id, has_voicemail ON calls
BEGIN
  UPDATE call_participants
     SET started_at = NEW.started_at, direction = NEW.direction, result = NEW.result, bn_id = NEW.bn_id,
         call_flow_id = NEW.call_flow_id, group_id = NEW.group_id, has_voicemail = NEW.has_voicemail
   WHERE call_id = NEW.id
     AND (started_at IS NOT NEW.started_at OR direction IS NOT NEW.direction OR result IS NOT NEW.result
          OR bn_id IS NOT NEW.bn_id OR call_flow_id IS NOT NEW.call_flow_id OR group_id IS NOT NEW.group_id
          OR has_voicemail IS NOT NEW.has_voicemail);
END;
UPDATE call_participants
   SET (started_at, direction, result, bn_id, call_flow_id, group_id, has_voicemail) =
       (SELECT c.started_at, c.direction, c.result, c.bn_id, c.call_flow_id, c.group_id, c.has_voicemail
          FROM calls c WHERE c.id = call_participants.call_id)
 WHERE EXISTS (SELECT 1 FROM calls c WHERE c.id = call_participants.call_id
                 AND (c.started_at IS NOT call_participants.started_at OR c.direction IS NOT call_participants.direction
                      OR c.result IS NOT call_participants.result OR c.bn_id IS NOT call_participants.bn_id
                      OR c.call_flow_id IS NOT call_participants.call_flow_id
                      OR c.group_id IS NOT call_participants.group_id
                      OR c.has_voicemail IS NOT call_participants.has_voicemail));
`;
