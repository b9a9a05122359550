import type { VisibilityReason } from '../../../shared/api/entities';
import type { Actor } from './actor';

/**
 * POLICY.md §3 as data. An actor's visibility is a list of branches; an item
 * is visible when any branch matches it. `matches` answers single decisions in
 * JS and `visibleCallsSql` / `visibleThreadsSql` turn the very same branches
 * into SQL, so a list and a single check cannot disagree.
 */
export type Branch =
  | { rule: 'participant'; userId: number }
  | { rule: 'group'; groupId: number }
  | { rule: 'callflow'; flowId: number }
  | { rule: 'callflow-bn'; bnId: number; flowId: number }
  | { rule: 'numbers'; bnId: number }
  | { rule: 'all'; accountId: number };

/** What a call (or its voicemail) carries for visibility. */
export interface CallFacts {
  accountId: number;
  participantIds: readonly number[];
  groupId: number | null;
  callFlowId: number | null;
  bnId: number | null;
}

/** What a message thread carries for visibility. */
export interface ThreadFacts {
  accountId: number;
  participantIds: readonly number[];
  groupId: number | null;
  bnId: number;
  /** The call flow the thread's BN routes to now: messages follow routing. */
  bnFlowId: number | null;
}

/** A thread is decided like a call that went through its BN's current call flow. */
export const threadAsCall = (t: ThreadFacts): CallFacts => ({ ...t, callFlowId: t.bnFlowId });

/**
 * An actor object is never changed once read (loadActor freezes what it
 * keeps), so its branches are worked out once per actor object: a list and every single
 * decision of the request share them.
 */
const branchCache = new WeakMap<Actor, Branch[]>();

export function callBranches(actor: Actor): Branch[] {
  let branches = branchCache.get(actor);
  if (!branches) {
    branches = branchesOf(actor);
    branchCache.set(actor, branches);
  }
  return branches;
}

function branchesOf(actor: Actor): Branch[] {
  const own: Branch = { rule: 'participant', userId: actor.userId };
  switch (actor.callAccess) {
    case 'all':
      return [{ rule: 'all', accountId: actor.accountId }];
    case 'numbers':
      return [own, ...actor.scopeBnIds.map((bnId): Branch => ({ rule: 'numbers', bnId }))];
    case 'callflow':
      return [own, ...actor.flowIds.map((flowId): Branch => ({ rule: 'callflow', flowId }))];
    case 'group':
      return [own, ...actor.groupIds.map((groupId): Branch => ({ rule: 'group', groupId }))];
    case 'personal':
      return [own];
  }
}

type FlowBns = readonly { bnId: number; flowId: number }[];

/**
 * Threads: "went through a call flow" means the thread's BN routes to a flow
 * the actor is part of, so the callflow branches become BN branches here.
 * The routing may be given as a function: only a `callflow` actor needs it,
 * so the others' requests do not read it.
 */
export function threadBranches(actor: Actor, flowBns: FlowBns | (() => FlowBns)): Branch[] {
  if (actor.callAccess !== 'callflow') return callBranches(actor);
  const flows = new Set(actor.flowIds);
  const routing = typeof flowBns === 'function' ? flowBns() : flowBns;
  return [
    { rule: 'participant', userId: actor.userId },
    ...routing
      .filter((f) => flows.has(f.flowId))
      .map((f): Branch => ({ rule: 'callflow-bn', bnId: f.bnId, flowId: f.flowId })),
  ];
}

function branchMatches(branch: Branch, item: CallFacts): boolean {
  switch (branch.rule) {
    case 'participant':
      return item.participantIds.includes(branch.userId);
    case 'group':
      return item.groupId === branch.groupId;
    case 'callflow':
      return item.callFlowId === branch.flowId;
    case 'callflow-bn':
    case 'numbers':
      return item.bnId === branch.bnId;
    case 'all':
      return item.accountId === branch.accountId;
  }
}

/** The first branch that shows this item to the actor, or null. */
export function matchingBranch(branches: readonly Branch[], item: CallFacts): Branch | null {
  for (const b of branches) if (branchMatches(b, item)) return b;
  return null;
}

export function explain(branch: Branch, names: { group?: string; flow?: string; bn?: string }): VisibilityReason {
  switch (branch.rule) {
    case 'participant':
      return {
        rule: 'participant',
        explanation: 'You took part in it: everyone sees their own calls, voicemails and messages.',
      };
    case 'group':
      return {
        rule: 'group',
        explanation: `It landed in the group ${names.group ?? ''}, which you belong to, and your call access is "Calling group".`,
      };
    case 'callflow':
    case 'callflow-bn':
      return {
        rule: 'callflow',
        explanation: `It went through the call flow ${names.flow ?? ''}, which you are part of, and your call access is "Call flow".`,
      };
    case 'numbers':
      return {
        rule: 'numbers',
        explanation: `It is on ${names.bn ?? 'a business number'}, one of the numbers your call access covers.`,
      };
    case 'all':
      return { rule: 'all', explanation: 'Your call access is "All": you see every call, voicemail and message.' };
  }
}
