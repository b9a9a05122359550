/**
 * An email is unique within an account, not across accounts: refusing a new
 * user because a user of another account has the email told an
 * Administrator that this person works elsewhere on Teamline. Sign-in by
 * email looks users up by email alone, so that stays indexed.
 */
export const sql = /* sql */ `
DROP INDEX users_email;
CREATE UNIQUE INDEX users_account_email ON users(account_id, email);
CREATE INDEX users_email ON users(email);
`;
