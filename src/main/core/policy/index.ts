/** The policy module: every permission decision of the app is made here. */
export { loadActor, type Actor, UnknownPolicyValue } from './actor';
export { can, capabilitySummary, levelsForRole, type Action, type Grant, type Resources, type TargetUser } from './can';
export { capabilityRules, defaultManagerPermissions, userPermissions, permissionLabel } from './capabilities';
export { allow, deny, type Decision } from './decision';
export {
  callBranches,
  threadBranches,
  matchingBranch,
  threadAsCall,
  explain,
  type Branch,
  type CallFacts,
  type ThreadFacts,
} from './visibility';
export {
  callPageSql,
  callSetSql,
  threadPageSql,
  encodeCursor,
  decodeCursor,
  splitPage,
  HOUR_SPANS_MAX,
  type HourFilter,
  type Keyset,
} from './listSql';
export { reachBnIds, auditScopeSql } from './scope';
export { callFilterScope, type FilterScope } from './filterScope';
export { roleTable, type RoleTableRow } from './roleTable';
