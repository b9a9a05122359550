/**
 * Covering indexes for what a list page reads per row (docs/performance.md).
 * A page of 50 calls or voicemails is one statement that looks each row's
 * details up; at 1M calls a visible row's details are spread over the file,
 * so every lookup that needs a second B-tree to finish costs a descent more:
 *
 * - Participants: call_participants_call (call_id, user_id) found the rows,
 *   then each role came from the table's primary key. With role in the index
 *   the participants of a call are one range of one index. (The unique index
 *   stays: it is what keeps one row per user and call.)
 * - The contact's name of a call's or thread's number: contacts_phone found
 *   the contact, the table gave the name. This index serves every lookup by
 *   (account, phone) the old one did, so it replaces it.
 * - A voicemail's fields by call: the unique index on call_id gave the
 *   rowid, the table the rest. This one carries what a list shows; the page
 *   statement names it (INDEXED BY), as the planner would otherwise take the
 *   unique index for an equality on call_id.
 */
export const sql = /* sql */ `
CREATE INDEX call_participants_call_role ON call_participants(call_id, user_id, role);

CREATE INDEX contacts_phone_name ON contacts(account_id, phone, id, name);
DROP INDEX contacts_phone;

CREATE INDEX voicemails_call_list ON voicemails(call_id, id, duration_seconds, audio_key, transcript);
`;
