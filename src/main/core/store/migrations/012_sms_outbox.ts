/**
 * SMS over the carrier's trunk.
 *
 * - messages gain a delivery state. An outbound message is `queued` in the
 *   outbox, `sending` while a MESSAGE is with the proxy, then `sent` (the
 *   carrier accepted every part) or `failed` (a permanent refusal, with the
 *   carrier's answer in `status_reason`). An inbound one is `received`.
 *   `segments`: the parts it takes as SMS; `parts_sent`: how many of them
 *   the carrier took, so that after a restart sending carries on with the
 *   next part, not the first. `attempts` / `next_attempt_at`: the retry
 *   backoff. `sms_ref`: for an outbound message the stable Call-ID base its
 *   MESSAGEs carry (a resent part has the same Call-ID and CSeq); for an
 *   inbound one the carrier's Call-ID and CSeq, so that a MESSAGE the
 *   carrier sends again is not stored twice.
 * - sms_opt_outs: an outside number that texted STOP to a business number;
 *   nothing more is sent to it from that number until it texts START.
 * - sms_parts: parts of a long inbound text that came as separate MESSAGEs,
 *   kept until the whole text is there.
 * - carrier_trunks.sms_long: the trunk takes a long text in one MESSAGE
 *   (the carrier splits it); otherwise each part is its own MESSAGE.
 */
export const sql = /* sql */ `
ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT 'sent'
  CHECK (status IN ('received','queued','sending','sent','failed'));
ALTER TABLE messages ADD COLUMN status_reason TEXT;
ALTER TABLE messages ADD COLUMN segments INTEGER NOT NULL DEFAULT 1 CHECK (segments BETWEEN 1 AND 255);
ALTER TABLE messages ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0 CHECK (parts_sent >= 0);
ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN next_attempt_at INTEGER;
ALTER TABLE messages ADD COLUMN sms_ref TEXT;
UPDATE messages SET status = 'received' WHERE direction = 'inbound';
CREATE INDEX messages_outbox ON messages(status, id) WHERE status IN ('queued','sending');
CREATE UNIQUE INDEX messages_sms_ref ON messages(sms_ref) WHERE sms_ref IS NOT NULL;

CREATE TABLE sms_opt_outs (
  bn_id           INTEGER NOT NULL REFERENCES business_numbers(id),
  external_number TEXT NOT NULL,
  account_id      INTEGER NOT NULL REFERENCES accounts(id),
  keyword         TEXT NOT NULL,
  opted_out_at    INTEGER NOT NULL,
  PRIMARY KEY (bn_id, external_number)
) STRICT, WITHOUT ROWID;

CREATE TABLE sms_parts (
  bn_id           INTEGER NOT NULL REFERENCES business_numbers(id),
  external_number TEXT NOT NULL,
  ref             INTEGER NOT NULL,
  seq             INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 255),
  total           INTEGER NOT NULL CHECK (total BETWEEN 2 AND 255),
  body            TEXT NOT NULL,
  received_at     INTEGER NOT NULL,
  PRIMARY KEY (bn_id, external_number, ref, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX sms_parts_time ON sms_parts(received_at);

ALTER TABLE carrier_trunks ADD COLUMN sms_long INTEGER NOT NULL DEFAULT 0 CHECK (sms_long IN (0,1));
`;
