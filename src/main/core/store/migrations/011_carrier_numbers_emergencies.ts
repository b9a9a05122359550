/**
 * Numbers from the carrier, and emergency calls the console tells
 * Administrators about.
 *
 * - accounts.demo: the demo account (loaded into an empty desktop to try the
 *   app). Only it keeps the number catalogue, which is demo data; a real
 *   account's numbers are the DIDs its carrier gave it. An existing demo
 *   account is recognised by its name and its people's demo addresses.
 * - business_numbers.trunk_id: the trunk a DID comes in on (the carrier
 *   that gave it). A deleted trunk leaves its numbers unassigned.
 * - emergency_calls: each call to the emergency services (who, which number,
 *   when, the caller ID sent), and emergency_acks: which Administrator has
 *   seen the notice of it, and when.
 */
export const sql = /* sql */ `
ALTER TABLE accounts ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0,1));
UPDATE accounts SET demo = 1
  WHERE name = 'Teamline Demo'
    AND EXISTS (SELECT 1 FROM users u WHERE u.id = accounts.owner_user_id AND u.email LIKE '%@teamline.demo');

ALTER TABLE business_numbers ADD COLUMN trunk_id INTEGER REFERENCES carrier_trunks(id) ON DELETE SET NULL;
CREATE INDEX business_numbers_trunk ON business_numbers(trunk_id) WHERE trunk_id IS NOT NULL;

CREATE TABLE emergency_calls (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  at          INTEGER NOT NULL,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  extension   TEXT NOT NULL,
  number      TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 8),
  bn_id       INTEGER REFERENCES business_numbers(id),
  caller_id   TEXT
) STRICT;
CREATE INDEX emergency_calls_account ON emergency_calls(account_id, at);

CREATE TABLE emergency_acks (
  emergency_id INTEGER NOT NULL REFERENCES emergency_calls(id),
  user_id      INTEGER NOT NULL REFERENCES users(id),
  at           INTEGER NOT NULL,
  PRIMARY KEY (emergency_id, user_id)
) STRICT, WITHOUT ROWID;
`;
