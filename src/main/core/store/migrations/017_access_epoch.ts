/**
 * The access epoch: one number that moves on with every change to what an
 * actor is made of (policy/actor.ts, readActor: the user, their account,
 * manager permissions, business numbers, numbers granted, groups and
 * membership, call flows and their targets). The actor cache is good while
 * the epoch stays where it was when the actor was read.
 *
 * Before, the cache was keyed by any write at all (total_changes and
 * data_version), so every call recorded, every registration and every note
 * dropped every cached actor: with ten calls a second the cache was nearly
 * always cold, and each console request and each live event re-read its
 * actor (about 0.13 ms, nine statements). A trigger per table and kind of
 * change keeps the rule as strict as before for access (a revoked grant
 * still takes effect on the very next request, from this connection or
 * another) while calls and messages no longer touch it.
 */

const TABLES = [
  'users',
  'accounts',
  'manager_permissions',
  'business_numbers',
  'user_numbers',
  'user_groups',
  'group_members',
  'call_flows',
  'call_flow_targets',
] as const;

export const accessTables: readonly string[] = TABLES;

export const sql = `
CREATE TABLE access_epoch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
) STRICT;
INSERT INTO access_epoch (id, n) VALUES (1, 0);
${TABLES.flatMap((t) =>
  (['INSERT', 'UPDATE', 'DELETE'] as const).map(
    (op) =>
      `CREATE TRIGGER access_epoch_${t}_${op.toLowerCase()} AFTER ${op} ON ${t} BEGIN UPDATE access_epoch SET n = n + 1 WHERE id = 1; END;`,
  ),
).join('\n')}
`;
