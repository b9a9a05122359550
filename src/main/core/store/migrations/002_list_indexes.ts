/**
 * Indexes for the two list shapes that 001 left to filtering or sorting
 * (docs/performance.md):
 *
 * - Voicemail lists walked each branch's calls index and looked every call up
 *   to test has_voicemail: a page of voicemails of a quiet user read thousands
 *   of calls. Each branch now has a partial index of voicemail calls only, and
 *   call_participants carries has_voicemail so the participant branch has one
 *   too.
 * - The participant branch of message threads joined thread_participants to
 *   message_threads and sorted the user's threads in a temporary B-tree.
 *   thread_participants now carries the thread's last_message_at (kept equal
 *   by insertMessage) with an index in list order; and an index by thread, for
 *   the "who took part" lookups of single decisions and for that upkeep.
 */
export const sql = /* sql */ `
CREATE INDEX calls_vm_account_time ON calls(account_id, started_at, id) WHERE has_voicemail = 1;
CREATE INDEX calls_vm_group_time ON calls(group_id, started_at, id) WHERE has_voicemail = 1;
CREATE INDEX calls_vm_flow_time ON calls(call_flow_id, started_at, id) WHERE has_voicemail = 1;
CREATE INDEX calls_vm_bn_time ON calls(bn_id, started_at, id) WHERE has_voicemail = 1;

ALTER TABLE call_participants ADD COLUMN has_voicemail INTEGER NOT NULL DEFAULT 0 CHECK (has_voicemail IN (0,1));
UPDATE call_participants SET has_voicemail = 1 WHERE call_id IN (SELECT id FROM calls WHERE has_voicemail = 1);
CREATE INDEX call_participants_vm_time ON call_participants(user_id, started_at, call_id) WHERE has_voicemail = 1;

ALTER TABLE thread_participants ADD COLUMN last_message_at INTEGER NOT NULL DEFAULT 0;
UPDATE thread_participants SET last_message_at = (SELECT t.last_message_at FROM message_threads t WHERE t.id = thread_id);
CREATE INDEX thread_participants_time ON thread_participants(user_id, last_message_at, thread_id);
CREATE INDEX thread_participants_thread ON thread_participants(thread_id, user_id);
`;
