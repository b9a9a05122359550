/**
 * The carrier: SIP trunks toward the outside world, and the account's
 * emergency-call settings.
 *
 * - carrier_trunks: where outside calls go and where they come from. A
 *   trunk authenticates by registration (username, password, realm, expiry),
 *   by the carrier's source addresses (allow_cidrs, a JSON array of CIDRs),
 *   or both. `password_enc` is the password sealed with AES-256-GCM under a
 *   key file kept beside the database, never in it (src/main/sip/trunkSecrets.ts).
 *   `contact_token` is the random user of the Contact the trunk registers:
 *   the carrier sends our calls to it. `role`: at most one preferred and one
 *   fallback trunk per account; others stand by.
 * - carrier_settings: the country whose emergency numbers are dialled
 *   (911 always; 112 and 999 where the country uses them) and the account's
 *   main number, the caller ID of an emergency call from someone who has no
 *   default business number.
 */
export const sql = /* sql */ `
CREATE TABLE carrier_trunks (
  id             INTEGER PRIMARY KEY,
  account_id     INTEGER NOT NULL REFERENCES accounts(id),
  name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  host           TEXT NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
  -- NULL: the carrier's DNS SRV records say where (RFC 3263).
  port           INTEGER CHECK (port BETWEEN 1 AND 65535),
  transport      TEXT NOT NULL CHECK (transport IN ('udp','tcp','tls')),
  register       INTEGER NOT NULL DEFAULT 0 CHECK (register IN (0,1)),
  username       TEXT NOT NULL DEFAULT '',
  auth_username  TEXT NOT NULL DEFAULT '',
  password_enc   TEXT,
  realm          TEXT NOT NULL DEFAULT '',
  expiry         INTEGER NOT NULL DEFAULT 600 CHECK (expiry BETWEEN 60 AND 86400),
  allow_cidrs    TEXT NOT NULL DEFAULT '[]',
  outbound_proxy TEXT NOT NULL DEFAULT '',
  caller_id_mode TEXT NOT NULL DEFAULT 'pai' CHECK (caller_id_mode IN ('from','pai')),
  caller_id_plus INTEGER NOT NULL DEFAULT 1 CHECK (caller_id_plus IN (0,1)),
  role           TEXT NOT NULL DEFAULT 'standby' CHECK (role IN ('preferred','fallback','standby')),
  contact_token  TEXT NOT NULL CHECK (contact_token GLOB 'tl[0-9a-f]*' AND length(contact_token) = 26),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  CHECK (register = 0 OR (username <> '' AND password_enc IS NOT NULL)),
  CHECK (register = 1 OR allow_cidrs <> '[]')
) STRICT;
CREATE INDEX carrier_trunks_account ON carrier_trunks(account_id);
CREATE UNIQUE INDEX carrier_trunks_role ON carrier_trunks(account_id, role) WHERE role <> 'standby';
CREATE UNIQUE INDEX carrier_trunks_name ON carrier_trunks(account_id, name);
CREATE UNIQUE INDEX carrier_trunks_token ON carrier_trunks(contact_token);

CREATE TABLE carrier_settings (
  account_id   INTEGER PRIMARY KEY REFERENCES accounts(id),
  country      TEXT NOT NULL DEFAULT 'US' CHECK (country GLOB '[A-Z][A-Z]'),
  main_bn_id   INTEGER REFERENCES business_numbers(id),
  updated_at   INTEGER NOT NULL
) STRICT;
`;
