/**
 * Filters on top of a wide visibility branch (docs/performance.md, "Filters
 * on wide branches"): a page walks each branch's index newest first and tests
 * the list's filters on every call it passes. The branch indexes held only
 * (key, time, id), so each test read the call's row: a Manager's calls
 * filtered by a group their numbers seldom reach, or by `internal`, read
 * every call of every number, one table lookup each.
 * The group, flow and BN indexes now also carry the columns visibility and
 * the filters test (group, flow, BN, direction, result, voicemail, account):
 * the same walk decides each call from the index alone, and a page that
 * filters reads no row it does not return; and the whole account's branch, filtered
 * by a group, number or flow, walks that key's index instead of the
 * account's (policy/listSql.ts keyDriver). Same names, same leading columns:
 * every plan that used them is unchanged.
 */
export const sql = `
DROP INDEX calls_group_time;
CREATE INDEX calls_group_time ON calls(group_id, started_at, id, call_flow_id, bn_id, direction, result, has_voicemail, account_id)
  WHERE group_id IS NOT NULL;
DROP INDEX calls_flow_time;
CREATE INDEX calls_flow_time ON calls(call_flow_id, started_at, id, group_id, bn_id, direction, result, has_voicemail, account_id)
  WHERE call_flow_id IS NOT NULL;
DROP INDEX calls_bn_time;
CREATE INDEX calls_bn_time ON calls(bn_id, started_at, id, group_id, call_flow_id, direction, result, has_voicemail, account_id)
  WHERE bn_id IS NOT NULL;
`;
