/**
 * Joining a team server (docs/policy-decisions.md, "Invitations and
 * devices"):
 *
 * - invitations: a one-time link for one user, made by an Administrator or a
 *   Manager who manages that user's settings. Only the SHA-256 of its token
 *   is kept; it expires (7 days by default), works once (`used_at`) and can
 *   be revoked (`revoked_at`).
 * - devices: a desktop that joined with an invitation. Its credential is
 *   `<id>.<secret>`; only the secret's SHA-256 is kept. A revoked device is
 *   refused at its next connection and cut off at once.
 */
export const sql = /* sql */ `
CREATE TABLE invitations (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  user_id     INTEGER NOT NULL REFERENCES users(id),
  token_hash  TEXT NOT NULL,
  created_by  INTEGER REFERENCES users(id),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  revoked_at  INTEGER,
  CHECK (expires_at > created_at)
) STRICT;
CREATE UNIQUE INDEX invitations_token ON invitations(token_hash);
CREATE INDEX invitations_user ON invitations(account_id, user_id, created_at);

CREATE TABLE devices (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  user_id       INTEGER NOT NULL REFERENCES users(id),
  name          TEXT NOT NULL,
  secret_hash   TEXT NOT NULL,
  invitation_id INTEGER REFERENCES invitations(id),
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER,
  revoked_at    INTEGER
) STRICT;
CREATE INDEX devices_user ON devices(account_id, user_id, created_at);
`;
