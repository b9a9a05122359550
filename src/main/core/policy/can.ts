import type { Capability } from '../../../shared/capabilities';
import type { CallAccessLevel, Plan, Role } from '../../../shared/primitives';
import type { Actor } from './actor';
import { capabilityRules } from './capabilities';
import { allow, deny, type Decision } from './decision';
import { callBranches, matchingBranch, threadAsCall, type CallFacts, type ThreadFacts } from './visibility';

export interface TargetUser {
  id: number;
  name: string;
  role: Role;
  isOwner: boolean;
  active: boolean;
}

/** A change to someone's access, with what the store worked out about it. */
export interface Grant {
  callAccess?: CallAccessLevel | undefined;
  /** BNs the change would newly give the user (any of the three sets). */
  addedBnIds?: readonly number[] | undefined;
  /** BNs a group or callflow level would let the user see calls on. */
  reachBnIds?: readonly number[] | undefined;
  /** The outbound sets would no longer be every BN (refused on basic). */
  narrowsOutbound?: boolean | undefined;
}

/** Each action and the resource it is decided on. */
export interface Resources {
  'call.view': CallFacts;
  'thread.view': ThreadFacts;
  'number.view': { bnId: number };
  'number.callFrom': { bnId: number };
  'number.smsFrom': { bnId: number };
  'user.add': { role: Role; grant: Grant };
  'user.duplicate': { source: TargetUser; grant: Grant };
  'user.editSettings': { target: TargetUser; identity: boolean };
  'user.editAccess': { target: TargetUser; grant: Grant };
  'user.setRole': { target: TargetUser; role: Role };
  'user.setPermissions': { target: TargetUser };
  'user.deactivate': { target: TargetUser; activeAdministrators: number };
  'user.reactivate': { target: TargetUser };
  'group.manage': { affected: readonly TargetUser[]; reachBnIds: readonly number[] };
  'callFlow.manage': { bnIds: readonly number[] };
  'number.manage': { bnId: number | null };
  'contact.manage': Record<string, never>;
  'integration.manage': Record<string, never>;
  'carrier.manage': Record<string, never>;
  'billing.manage': Record<string, never>;
  'plan.change': { plan: Plan };
  'account.cancel': Record<string, never>;
  'account.transferOwnership': { target: TargetUser };
  'audit.read': Record<string, never>;
  'user.viewAs': { accountId: number };
  /** Create or revoke an invitation for the target to join from a desktop (it sets their password). */
  'user.invite': { target: TargetUser };
  /** Withdraw an invitation for the target. */
  'user.invitation.revoke': { target: TargetUser };
  /** See the desktops that joined as the target, and their invitations. */
  'user.devices.view': { target: TargetUser };
  /** Revoke one of those desktops. */
  'user.devices.revoke': { target: TargetUser };
  /** Register a softphone and place or take calls (SIP credentials, the proxy's checks). */
  'phone.use': Record<string, never>;
  /** The team's names, extensions and presence, to call or transfer to a teammate. */
  'team.directory': { accountId: number };
  /** Create, rename or delete the account's call tags. */
  'callTag.manage': Record<string, never>;
  /** Add a note to a call, or put a tag on it or take one off. */
  'call.annotate': CallFacts;
  /** Change the text of a note. */
  'callNote.edit': { call: CallFacts; authorId: number };
  /** Delete a note. */
  'callNote.delete': { call: CallFacts; authorId: number };
  /** Listen to a recording of the call in the app. */
  'recording.play': CallFacts;
  /** Take a copy of a recording of the call. */
  'recording.download': CallFacts;
  /** Delete a recording of the call (and its file). */
  'recording.delete': CallFacts;
  /** The account's recording retention and the record mode of internal calls. */
  'recordingSettings.change': Record<string, never>;
  /**
   * Press Record on a call going on now, as the phone service knows it (the
   * call is not in the history yet). `unavailable`: why the service records
   * nothing now (it does not run, or has no media relay), else null; `onCall`:
   * the actor is a party to the call, null when the service records no such
   * call; `mode`: its line's record mode.
   */
  'call.record': {
    unavailable: string | null;
    onCall: boolean | null;
    mode: 'always' | 'never' | 'on_demand' | null;
  };
  /** Stop recording a call one is on (docs/policy-decisions.md, "Stop"). */
  'call.recordStop': {
    unavailable: string | null;
    onCall: boolean | null;
    mode: 'always' | 'never' | 'on_demand' | null;
    recording: boolean;
  };
}
export type Action = keyof Resources;

/** Actions that only read; everything else is refused on a cancelled account. */
const readActions: ReadonlySet<Action> = new Set<Action>([
  'call.view',
  'thread.view',
  'number.view',
  'audit.read',
  'user.viewAs',
  'team.directory',
  'user.devices.view',
  'recording.play',
  'recording.download',
]);

/**
 * Changes that only withdraw access. They stay open on a cancelled account
 * (its data can still be read, so a lost desktop or a leaked link must still
 * be cut off); a View as stays read-only for them too.
 */
const accessWithdrawals: ReadonlySet<Action> = new Set<Action>(['user.devices.revoke', 'user.invitation.revoke']);

const roleName: Record<Role, string> = { agent: 'Agent', manager: 'Manager', administrator: 'Administrator' };
const levelName: Record<CallAccessLevel, string> = {
  personal: 'Personal',
  group: 'Calling group',
  callflow: 'Call flow',
  numbers: 'Business numbers',
  all: 'All',
};

const extendedRolesNeedPlan = (what: string) =>
  deny(`${what} needs the Business plan or above; this account is on the Basic plan.`, 'plan');

/** Invariant 2: a Manager acts on Agents only, and never on themselves. */
function overUser(actor: Actor, target: TargetUser, capability: Capability, selfAllowed = false): Decision {
  const cap = capabilityRules[capability](actor);
  if (!cap.allowed) return cap;
  if (actor.role === 'administrator') return allow;
  if (target.id === actor.userId) {
    return selfAllowed ? allow : deny('Managers cannot change their own role, permissions or access.');
  }
  if (target.role !== 'agent') return deny(`Managers act on Agents only; ${target.name} is ${aRole(target.role)}.`);
  return allow;
}

const aRole = (r: Role) => (r === 'agent' ? 'an Agent' : r === 'manager' ? 'a Manager' : 'an Administrator');

/** Which levels each role can hold (POLICY.md §3, "who can have it"). */
export const levelsForRole: Record<Role, readonly CallAccessLevel[]> = {
  agent: ['personal', 'group', 'callflow', 'numbers'],
  manager: ['numbers', 'all'],
  administrator: ['all'],
};

/** Invariant 3 and the plan rules, for a grant to a user of `role`. */
function grantAllowed(actor: Actor, role: Role, grant: Grant): Decision {
  const level = grant.callAccess;
  if (actor.plan === 'basic') {
    if (level !== undefined && level !== (role === 'administrator' ? 'all' : 'group')) {
      return extendedRolesNeedPlan('Changing call access');
    }
    if (grant.narrowsOutbound) return extendedRolesNeedPlan('Limiting outbound numbers');
  }
  if (level !== undefined && !levelsForRole[role].includes(level)) {
    return deny(`${roleName[role]}s cannot have "${levelName[level]}" call access.`, 'conflict');
  }
  if (actor.role === 'administrator') return allow;
  // A Manager: never wider than their own scope, and only BNs they may use or see.
  if (level === 'numbers') return deny('Only an Administrator can give an Agent "Business numbers" call access.');
  if (level === 'all') return deny('Only an Administrator can give "All" call access.');
  if (actor.callAccess !== 'all') {
    const visible = new Set(actor.visibleBnIds);
    const outside = (grant.reachBnIds ?? []).filter((id) => !visible.has(id));
    if (outside.length > 0) {
      return deny(
        `That call access would show calls on business numbers outside your own access (${outside.length} number${outside.length > 1 ? 's' : ''}).`,
      );
    }
  }
  const visible = new Set(actor.visibleBnIds);
  if ((grant.addedBnIds ?? []).some((id) => !visible.has(id))) {
    return deny('You can only give business numbers that you may use or see yourself.');
  }
  return allow;
}

function writable(actor: Actor): Decision {
  if (actor.viewedBy) return deny(`${actor.viewedBy.name} is viewing as ${actor.name}: this view is read-only.`);
  if (actor.accountStatus === 'cancelled') {
    const when = actor.cancelledAt ? ` on ${new Date(actor.cancelledAt).toISOString().slice(0, 10)}` : '';
    return deny(`This account was cancelled${when} and is read-only.`, 'conflict');
  }
  return allow;
}

/**
 * Refusal codes (POLICY.md, docs/policy-decisions.md "Refusal codes"):
 * `forbidden` when the actor may not do this kind of act at all (their role,
 * permissions, scope, or a View as); `conflict` when they may, but the state of
 * the account or of the target forbids it now (the owner, the last
 * Administrator, a deactivated user, a role that cannot hold that access, a
 * cancelled account); `plan` when the plan forbids it.
 */
type Rule<A extends Action> = (actor: Actor, resource: Resources[A]) => Decision;

const rules: { [A in Action]: Rule<A> } = {
  'call.view': (a, call) =>
    matchingBranch(callBranches(a), call) ? allow : deny('Your call access does not include this call.'),
  'thread.view': (a, t) =>
    matchingBranch(callBranches(a), threadAsCall(t))
      ? allow
      : deny('Your call access does not include this conversation.'),
  'number.view': (a, { bnId }) =>
    a.visibleBnIds.includes(bnId) ? allow : deny('This business number is not among the numbers you may see.'),
  'number.callFrom': (a, { bnId }) =>
    a.outboundCallBnIds.includes(bnId) ? allow : deny('You may not call from this business number.'),
  'number.smsFrom': (a, { bnId }) =>
    a.smsBnIds.includes(bnId) ? allow : deny('You may not send messages from this business number.'),
  'user.add': (a, { role, grant }) => {
    const cap = capabilityRules['users.add'](a);
    if (!cap.allowed) return cap;
    if (role !== 'agent') {
      if (a.role !== 'administrator') return deny('Managers can add Agents only.');
      if (a.plan === 'basic' && role === 'manager') return extendedRolesNeedPlan('The Manager role');
    }
    return grantAllowed(a, role, grant);
  },
  'user.duplicate': (a, { source, grant }) => {
    const cap = capabilityRules['users.add'](a);
    if (!cap.allowed) return cap;
    const access = overUser(a, source, 'users.access');
    if (!access.allowed) return access;
    return grantAllowed(a, source.role, grant);
  },
  'user.editSettings': (a, { target, identity }) => {
    if (target.id === a.userId && !identity) return allow;
    return overUser(a, target, 'users.settings', true);
  },
  'user.editAccess': (a, { target, grant }) => {
    const d = overUser(a, target, 'users.access');
    return d.allowed ? grantAllowed(a, target.role, grant) : d;
  },
  'user.setRole': (a, { target, role }) => {
    const cap = capabilityRules['users.role'](a);
    if (!cap.allowed) return cap;
    if (target.isOwner && role !== 'administrator') {
      return deny(`${target.name} owns the account; transfer ownership before changing their role.`, 'conflict');
    }
    if (role === 'manager' && a.plan === 'basic') return extendedRolesNeedPlan('The Manager role');
    if (!target.active) return deny(`${target.name} is deactivated; reactivate them first.`, 'conflict');
    return allow;
  },
  'user.setPermissions': (a, { target }) => {
    const cap = capabilityRules['users.managerPermissions'](a);
    if (!cap.allowed) return cap;
    return target.role === 'manager' ? allow : deny('Manager permissions apply to Managers only.', 'conflict');
  },
  'user.deactivate': (a, { target, activeAdministrators }) => {
    if (target.id === a.userId) return deny('You cannot deactivate yourself.');
    const d = overUser(a, target, 'users.settings');
    if (!d.allowed) return d;
    if (target.isOwner) return deny(`${target.name} owns the account; transfer ownership first.`, 'conflict');
    if (target.role === 'administrator' && target.active && activeAdministrators <= 1) {
      return deny('The account must keep at least one active Administrator.', 'conflict');
    }
    return allow;
  },
  'user.reactivate': (a, { target }) => overUser(a, target, 'users.settings'),
  'group.manage': (a, { affected, reachBnIds }) => {
    const cap = capabilityRules['groups.manage'](a);
    if (!cap.allowed || a.role === 'administrator') return cap;
    const other = affected.find((u) => u.role !== 'agent' || u.id === a.userId);
    if (other) return deny(`Managers change the groups of Agents only; ${other.name} is ${aRole(other.role)}.`);
    return grantAllowed(a, 'agent', { reachBnIds });
  },
  'callFlow.manage': (a, { bnIds }) => {
    const cap = capabilityRules['callFlows.manage'](a);
    if (!cap.allowed || a.role === 'administrator') return cap;
    const visible = new Set(a.visibleBnIds);
    return bnIds.every((id) => visible.has(id))
      ? allow
      : deny('This call flow answers business numbers outside your access.');
  },
  'number.manage': (a) => capabilityRules['numbers.manage'](a),
  'contact.manage': (a) => capabilityRules['contacts.manage'](a),
  'integration.manage': (a) => capabilityRules['integrations.manage'](a),
  'carrier.manage': (a) => capabilityRules['carrier.manage'](a),
  'billing.manage': (a) => capabilityRules['billing.manage'](a),
  'plan.change': (a) => capabilityRules['plan.change'](a),
  'account.cancel': (a) => capabilityRules['account.cancel'](a),
  'account.transferOwnership': (a, { target }) => {
    const cap = capabilityRules['account.transferOwnership'](a);
    if (!cap.allowed) return cap;
    if (target.id === a.userId) return deny('You already own the account.', 'conflict');
    if (!target.active || target.role !== 'administrator') {
      return deny('Ownership can only go to an active Administrator.', 'conflict');
    }
    return allow;
  },
  'audit.read': (a) => capabilityRules['audit.read'](a),
  'user.viewAs': (a, { accountId }) => {
    if (a.viewedBy) return deny('You are already viewing as someone.', 'conflict');
    if (a.role !== 'administrator') return deny('Only an Administrator can view the console as someone else.');
    return accountId === a.accountId ? allow : deny('That user is not in your account.');
  },
  // An invitation lets whoever holds it set the user's password and sign in as them: the same rule as
  // managing that user's settings, and the owner's only by the owner (invariant 1).
  'user.invite': (a, { target }) => {
    if (target.isOwner && target.id !== a.userId) {
      return deny(`${target.name} owns the account; only they can invite themselves to a new desktop.`);
    }
    const d = overUser(a, target, 'users.settings', true);
    if (!d.allowed) return d;
    return target.active ? allow : deny(`${target.name} is deactivated; reactivate them first.`, 'conflict');
  },
  // Withdrawing an invitation: the same people, whatever state the user is in now.
  'user.invitation.revoke': (a, { target }) => {
    if (target.isOwner && target.id !== a.userId) {
      return deny(`${target.name} owns the account; only they can withdraw their invitations.`);
    }
    return overUser(a, target, 'users.settings', true);
  },
  // Everyone sees and removes their own desktops (a lost laptop); others' by the settings rule.
  'user.devices.view': (a, { target }) => (target.id === a.userId ? allow : overUser(a, target, 'users.settings')),
  'user.devices.revoke': (a, { target }) => (target.id === a.userId ? allow : overUser(a, target, 'users.settings')),
  // Every active user may phone; not while viewed-as or on a cancelled account (writable(), in can()).
  'phone.use': () => allow,
  // Colleagues' names and extensions are what any phone team shares; only within one's own account.
  'team.directory': (actor, r) => (r.accountId === actor.accountId ? allow : deny('That team is not yours.')),
  // A shared vocabulary (like a CRM's dispositions) that reports filter on: one owner, the Administrators.
  'callTag.manage': (a) =>
    a.role === 'administrator' ? allow : deny('Only an Administrator can change the list of call tags.'),
  // Whoever sees a call may mark it: a note or tag adds to the call and reveals nothing new.
  'call.annotate': (a, call) =>
    matchingBranch(callBranches(a), call) ? allow : deny('Your call access does not include this call.'),
  // A note speaks for its author: only they change its words.
  'callNote.edit': (a, { call, authorId }) => {
    if (!matchingBranch(callBranches(a), call)) return deny('Your call access does not include this call.');
    return authorId === a.userId ? allow : deny('Only the author of a note can edit it.');
  },
  // The author takes back their own; an Administrator removes any (what should not be there).
  'callNote.delete': (a, { call, authorId }) => {
    if (!matchingBranch(callBranches(a), call)) return deny('Your call access does not include this call.');
    return authorId === a.userId || a.role === 'administrator'
      ? allow
      : deny('Only the author of a note or an Administrator can delete it.');
  },
  // A recording is seen exactly when its call is: the call's own branches, no model of its own.
  'recording.play': (a, call) =>
    matchingBranch(callBranches(a), call) ? allow : deny('Your call access does not include this call.'),
  'recording.download': (a, call) => {
    if (!matchingBranch(callBranches(a), call)) return deny('Your call access does not include this call.');
    return capabilityRules['recordings.download'](a);
  },
  'recording.delete': (a, call) => {
    if (!matchingBranch(callBranches(a), call)) return deny('Your call access does not include this call.');
    return capabilityRules['recordings.delete'](a);
  },
  'recordingSettings.change': (a) => capabilityRules['recordings.settings'](a),
  // Only a party records a call (a supervisor does not tap someone else's); the line's settings decide whether at all.
  'call.record': (_a, { unavailable, onCall, mode }) => {
    if (unavailable !== null) return deny(unavailable, 'conflict');
    if (onCall === false) return deny('You can record only a call you are on.');
    if (mode === null) return deny('Calls on this line are not recorded, or this call has ended.', 'conflict');
    if (mode === 'always') return deny('This call is already recorded: its line records every call.', 'conflict');
    if (mode !== 'on_demand') return deny('Calls on this line are not recorded on demand.', 'conflict');
    return allow;
  },
  'call.recordStop': (_a, { unavailable, onCall, mode, recording }) => {
    if (unavailable !== null) return deny(unavailable, 'conflict');
    if (onCall === false) return deny('You can stop recording only a call you are on.');
    if (mode === null) return deny('Calls on this line are not recorded, or this call has ended.', 'conflict');
    // An account that records a line always does so for a reason (a legal duty): nobody on the call stops it.
    if (mode === 'always')
      return deny('Calls on this line are always recorded: the recording cannot be stopped.', 'conflict');
    if (mode !== 'on_demand') return deny('Calls on this line are not recorded on demand.', 'conflict');
    if (!recording) return deny('This call is not being recorded.', 'conflict');
    return allow;
  },
};

/**
 * The one place single decisions are made. Deny by default: an action with no
 * rule is refused.
 */
export function can<A extends Action>(actor: Actor, action: A, resource: Resources[A]): Decision {
  // Own rules only: an inherited name (toString, __proto__…) is no rule.
  const rule = Object.hasOwn(rules, action) ? (rules as Partial<Record<string, Rule<A>>>)[action] : undefined;
  if (typeof rule !== 'function') return deny('No rule allows this action.');
  if (!readActions.has(action)) {
    const w = accessWithdrawals.has(action) && !actor.viewedBy ? allow : writable(actor);
    if (!w.allowed) return w;
  }
  return rule(actor, resource);
}

/** The capability summary the renderer mirrors to show or hide controls. */
export function capabilitySummary(actor: Actor): Record<Capability, boolean> {
  const cancelled = actor.accountStatus === 'cancelled' || actor.viewedBy !== null;
  const out = {} as Record<Capability, boolean>;
  for (const [name, rule] of Object.entries(capabilityRules) as [Capability, (a: Actor) => Decision][]) {
    out[name] = rule(actor).allowed && (!cancelled || name === 'audit.read');
  }
  return out;
}
