/**
 * The account model of POLICY.md §1. Every table is STRICT; every row names its
 * account so that ids of another account's rows can be refused in SQL.
 * Times are milliseconds since the epoch (INTEGER).
 */
export const sql = /* sql */ `
CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  plan          TEXT NOT NULL CHECK (plan IN ('basic','business','company')),
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','cancelled')),
  owner_user_id INTEGER,
  created_at    INTEGER NOT NULL,
  cancelled_at  INTEGER
) STRICT;

CREATE TABLE business_numbers (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts(id),
  e164         TEXT NOT NULL CHECK (e164 GLOB '+[1-9][0-9]*' AND length(e164) BETWEEN 8 AND 16),
  label        TEXT NOT NULL DEFAULT '',
  call_flow_id INTEGER REFERENCES call_flows(id),
  created_at   INTEGER NOT NULL,
  -- A released number leaves the account's lists; its history keeps pointing at it.
  released_at  INTEGER
) STRICT;
CREATE UNIQUE INDEX business_numbers_live_e164 ON business_numbers(e164) WHERE released_at IS NULL;
CREATE INDEX business_numbers_account ON business_numbers(account_id, released_at);
CREATE INDEX business_numbers_flow ON business_numbers(call_flow_id) WHERE call_flow_id IS NOT NULL;

CREATE TABLE number_catalogue (
  e164          TEXT PRIMARY KEY,
  region        TEXT NOT NULL,
  monthly_cents INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  extension     TEXT NOT NULL,
  name          TEXT NOT NULL,
  email         TEXT NOT NULL,
  title         TEXT NOT NULL DEFAULT '',
  timezone      TEXT NOT NULL DEFAULT 'America/Los_Angeles',
  role          TEXT NOT NULL CHECK (role IN ('agent','manager','administrator')),
  call_access   TEXT NOT NULL CHECK (call_access IN ('personal','group','callflow','numbers','all')),
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
  password_hash TEXT,
  default_bn_id INTEGER REFERENCES business_numbers(id),
  created_at    INTEGER NOT NULL,
  -- The role/level pairs of POLICY.md §3 "who can have it".
  CHECK (
    (role = 'agent' AND call_access IN ('personal','group','callflow','numbers')) OR
    (role = 'manager' AND call_access IN ('numbers','all')) OR
    (role = 'administrator' AND call_access = 'all')
  )
) STRICT;
CREATE UNIQUE INDEX users_extension ON users(account_id, extension);
CREATE UNIQUE INDEX users_email ON users(email);
CREATE INDEX users_account_role ON users(account_id, role, active);

CREATE TABLE manager_permissions (
  user_id    INTEGER NOT NULL REFERENCES users(id),
  permission TEXT NOT NULL CHECK (permission IN ('callFlows','numbers','billing','groups','addUsers','userSettings','userAccess')),
  PRIMARY KEY (user_id, permission)
) STRICT, WITHOUT ROWID;

-- kind 'call': caller ID for outbound calls; 'sms': send SMS from; 'scope': the BNs of a 'numbers' call access.
CREATE TABLE user_numbers (
  user_id INTEGER NOT NULL REFERENCES users(id),
  kind    TEXT NOT NULL CHECK (kind IN ('call','sms','scope')),
  bn_id   INTEGER NOT NULL REFERENCES business_numbers(id),
  PRIMARY KEY (user_id, kind, bn_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_numbers_bn ON user_numbers(bn_id);

CREATE TABLE user_groups (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX user_groups_name ON user_groups(account_id, name) WHERE deleted_at IS NULL;

CREATE TABLE group_members (
  group_id INTEGER NOT NULL REFERENCES user_groups(id),
  user_id  INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (group_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX group_members_user ON group_members(user_id, group_id);

CREATE TABLE call_flows (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  name       TEXT NOT NULL,
  -- The step tree as the editor sees it (validated JSON); call_flow_targets indexes who it rings.
  steps      TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX call_flows_name ON call_flows(account_id, name) WHERE deleted_at IS NULL;

-- Every group or user a flow's steps ring (or send voicemail to), at any depth: "part of a call flow".
CREATE TABLE call_flow_targets (
  call_flow_id INTEGER NOT NULL REFERENCES call_flows(id),
  group_id     INTEGER REFERENCES user_groups(id),
  user_id      INTEGER REFERENCES users(id),
  CHECK ((group_id IS NULL) <> (user_id IS NULL))
) STRICT;
CREATE INDEX call_flow_targets_flow ON call_flow_targets(call_flow_id);
CREATE INDEX call_flow_targets_group ON call_flow_targets(group_id) WHERE group_id IS NOT NULL;
CREATE INDEX call_flow_targets_user ON call_flow_targets(user_id) WHERE user_id IS NOT NULL;

CREATE TABLE contacts (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  name       TEXT NOT NULL,
  company    TEXT NOT NULL DEFAULT '',
  phone      TEXT NOT NULL,
  email      TEXT NOT NULL DEFAULT '',
  notes      TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_name ON contacts(account_id, name COLLATE NOCASE, id);
CREATE INDEX contacts_phone ON contacts(account_id, phone);

CREATE TABLE calls (
  id              INTEGER PRIMARY KEY,
  account_id      INTEGER NOT NULL REFERENCES accounts(id),
  direction       TEXT NOT NULL CHECK (direction IN ('inbound','outbound','internal')),
  result          TEXT NOT NULL CHECK (result IN ('answered','missed','voicemail')),
  bn_id           INTEGER REFERENCES business_numbers(id),
  external_number TEXT,
  started_at      INTEGER NOT NULL,
  answered_at     INTEGER,
  ended_at        INTEGER,
  call_flow_id    INTEGER REFERENCES call_flows(id),
  group_id        INTEGER REFERENCES user_groups(id),
  has_voicemail   INTEGER NOT NULL DEFAULT 0 CHECK (has_voicemail IN (0,1))
) STRICT;
-- One index per visibility branch, each in list order, so every branch of the
-- list query is an index range scan merged newest-first (docs/performance.md).
CREATE INDEX calls_account_time ON calls(account_id, started_at, id);
CREATE INDEX calls_group_time ON calls(group_id, started_at, id) WHERE group_id IS NOT NULL;
CREATE INDEX calls_flow_time ON calls(call_flow_id, started_at, id) WHERE call_flow_id IS NOT NULL;
CREATE INDEX calls_bn_time ON calls(bn_id, started_at, id) WHERE bn_id IS NOT NULL;
CREATE INDEX calls_external ON calls(account_id, external_number, started_at);

CREATE TABLE call_participants (
  user_id    INTEGER NOT NULL REFERENCES users(id),
  started_at INTEGER NOT NULL,
  call_id    INTEGER NOT NULL REFERENCES calls(id),
  -- missed / voicemail: the call rang this user directly (a ring-user step) and they did not answer.
  role       TEXT NOT NULL CHECK (role IN ('placed','answered','transferred','missed','voicemail')),
  PRIMARY KEY (user_id, started_at, call_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX call_participants_call ON call_participants(call_id, user_id);

CREATE TABLE call_events (
  call_id  INTEGER NOT NULL REFERENCES calls(id),
  seq      INTEGER NOT NULL,
  at       INTEGER NOT NULL,
  kind     TEXT NOT NULL,
  user_id  INTEGER REFERENCES users(id),
  group_id INTEGER REFERENCES user_groups(id),
  detail   TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (call_id, seq)
) STRICT, WITHOUT ROWID;

-- Recordings, shared by key (a recording may back several demo voicemails).
CREATE TABLE voicemail_audio (
  key  TEXT PRIMARY KEY,
  mime TEXT NOT NULL,
  data BLOB NOT NULL
) STRICT;

CREATE TABLE voicemails (
  id               INTEGER PRIMARY KEY,
  call_id          INTEGER NOT NULL UNIQUE REFERENCES calls(id),
  duration_seconds INTEGER NOT NULL,
  transcript       TEXT NOT NULL DEFAULT '',
  audio_key        TEXT REFERENCES voicemail_audio(key)
) STRICT;

CREATE TABLE voicemail_reads (
  voicemail_id INTEGER NOT NULL REFERENCES voicemails(id),
  user_id      INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (user_id, voicemail_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE message_threads (
  id                INTEGER PRIMARY KEY,
  account_id        INTEGER NOT NULL REFERENCES accounts(id),
  bn_id             INTEGER NOT NULL REFERENCES business_numbers(id),
  external_number   TEXT NOT NULL,
  assigned_user_id  INTEGER REFERENCES users(id),
  assigned_group_id INTEGER REFERENCES user_groups(id),
  last_message_at   INTEGER NOT NULL,
  last_preview      TEXT NOT NULL DEFAULT '',
  last_direction    TEXT NOT NULL DEFAULT 'inbound' CHECK (last_direction IN ('inbound','outbound'))
) STRICT;
CREATE UNIQUE INDEX message_threads_pair ON message_threads(bn_id, external_number);
CREATE INDEX message_threads_account_time ON message_threads(account_id, last_message_at, id);
CREATE INDEX message_threads_group_time ON message_threads(assigned_group_id, last_message_at, id) WHERE assigned_group_id IS NOT NULL;
CREATE INDEX message_threads_bn_time ON message_threads(bn_id, last_message_at, id);

-- Users who took part in a thread: assigned to it or sent in it.
CREATE TABLE thread_participants (
  user_id   INTEGER NOT NULL REFERENCES users(id),
  thread_id INTEGER NOT NULL REFERENCES message_threads(id),
  PRIMARY KEY (user_id, thread_id)
) STRICT, WITHOUT ROWID;

-- When each user last read a thread: a thread is unread when a message came in after that.
CREATE TABLE thread_reads (
  user_id   INTEGER NOT NULL REFERENCES users(id),
  thread_id INTEGER NOT NULL REFERENCES message_threads(id),
  read_at   INTEGER NOT NULL,
  PRIMARY KEY (user_id, thread_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE messages (
  id             INTEGER PRIMARY KEY,
  thread_id      INTEGER NOT NULL REFERENCES message_threads(id),
  direction      TEXT NOT NULL CHECK (direction IN ('inbound','outbound')),
  sender_user_id INTEGER REFERENCES users(id),
  body           TEXT NOT NULL,
  sent_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_thread_time ON messages(thread_id, sent_at, id);

CREATE TABLE integrations (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  provider      TEXT NOT NULL CHECK (provider IN ('hubspot','salesforce','zoho','pipedrive')),
  name          TEXT NOT NULL,
  settings      TEXT NOT NULL,
  created_by    INTEGER NOT NULL REFERENCES users(id),
  created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE billing_profiles (
  account_id     INTEGER PRIMARY KEY REFERENCES accounts(id),
  contact_name   TEXT NOT NULL DEFAULT '',
  contact_email  TEXT NOT NULL DEFAULT '',
  address_line1  TEXT NOT NULL DEFAULT '',
  address_line2  TEXT NOT NULL DEFAULT '',
  city           TEXT NOT NULL DEFAULT '',
  region         TEXT NOT NULL DEFAULT '',
  postal_code    TEXT NOT NULL DEFAULT '',
  country        TEXT NOT NULL DEFAULT 'US'
) STRICT;

CREATE TABLE audit_events (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  at            INTEGER NOT NULL,
  actor_user_id INTEGER REFERENCES users(id),
  action        TEXT NOT NULL,
  target_type   TEXT NOT NULL,
  target_id     INTEGER,
  summary       TEXT NOT NULL,
  before_json   TEXT,
  after_json    TEXT
) STRICT;
CREATE INDEX audit_events_account_time ON audit_events(account_id, id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
`;
