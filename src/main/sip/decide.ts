import { E164, Extension, type CallDirection } from '../../shared/primitives';
import { can, loadActor, UnknownPolicyValue, type Actor } from '../core/policy';
import type { Db } from '../core/store/db';
import { getAccount } from '../core/store/repos/account';
import { getFlow } from '../core/store/repos/flows';
import { findNumberByE164, getNumber } from '../core/store/repos/numbers';
import { deviceUsable, getDevice } from '../core/store/repos/devices';
import { findUserByExtension } from '../core/store/repos/users';
import { INTERNAL_RING_SECONDS, type CallTracker, type RingVerdict } from './callTracker';
import { ha1, parseAuthorizationUsername, sipPassword } from './credentials';
import { planCall } from './flowPlan';
import { emergencyCallerId, isEmergency } from './trunkDecide';
import type { TrunkService } from './trunks';

/**
 * The proxy's questions, answered from the account database through the
 * policy module, fresh for every request: a deactivated user or a revoked
 * grant is refused on the very next REGISTER or INVITE.
 *
 * Answers are one line of "|"-separated fields (see the Kamailio template):
 *   ok|<ha1>  ring|<call>|<seconds>|<ext.ext…>  media|<call>|<vm-… or ivr-…>
 *   external|<call>|<caller id>  reject|<SIP code>|<reason phrase>  none
 */

export interface DecideOptions {
  db: Db;
  accountId: number;
  domain: string;
  secret: Buffer;
  tracker: CallTracker;
  now: () => number;
  /** The carrier's trunks, when the phone service runs them. */
  trunks?: TrunkService | null | undefined;
  /** Someone dialled the emergency services (told at once, before the call is answered). */
  onEmergency?: ((e: EmergencyCall) => void) | undefined;
  /** Call recording: whether a new call may be recorded (its media then goes through the relay). */
  recording?: RecordingDecider | null | undefined;
  log?: ((message: string, error?: unknown) => void) | undefined;
}

export interface EmergencyCall {
  userId: number;
  extension: string;
  number: string;
  callerId: string | null;
  bnId: number | null;
}

/** Where an inbound request came from, as the proxy matched it (`trunkId` 0: the configured peer). */
export interface InboundSource {
  trunkId: number;
  ip: string;
  /** The Request-URI user and the To user: a carrier names the DID in one or the other. */
  requestUser: string;
  toUser: string;
}

/** A reason phrase is a status line's text: printable, no field separator, short. */
const phrase = (text: string) =>
  text
    .replace(/[^A-Za-z0-9 .,:'()+\-/]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120) || 'Refused';

/**
 * A person's name as a SIP display name inside quotes: no quote, backslash,
 * field separator or control character; short.
 */
export const displayName = (name: string) =>
  name
    .replace(/["\\|\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 60);

export const reject = (code: number, reason: string) => `reject|${code}|${phrase(reason)}`;

const verdictLine = (id: string, v: RingVerdict) =>
  v.kind === 'ring'
    ? `ring|${id}|${v.secs}|${v.targets.join('.')}`
    : v.kind === 'media'
      ? `media|${id}|${v.user}`
      : reject(v.code, v.reason);

type Caller = { ok: true; actor: Actor; extension: string } | { ok: false; line: string };

export interface RecordingDecider {
  decide(
    trackerId: string,
    call: { bnId: number | null; callFlowId: number | null; direction: CallDirection; placedBy: number | null },
  ): boolean;
}

/**
 * A call that may be recorded: its decision starts with `rec|`, which the
 * proxy takes off and notes in the dialog, relaying the call's media
 * through rtpengine (with G.711 only, which the recording decodes).
 */
function recordable(o: DecideOptions, id: string, call: Parameters<RecordingDecider['decide']>[1]): string {
  try {
    return o.recording?.decide(id, call) ? 'rec|' : '';
  } catch (error) {
    o.log?.('Deciding whether to record a call failed; it is not recorded', error);
    return '';
  }
}

export function createDecisions(o: DecideOptions) {
  const { db, accountId } = o;

  /** The team member behind an authorization username, if every check passes. */
  function caller(authorizationUsername: string, aor: string): Caller {
    const parsed = parseAuthorizationUsername(authorizationUsername);
    if (!parsed) return { ok: false, line: reject(403, 'Unknown credentials') };
    if (parsed.expiresAt <= o.now()) return { ok: false, line: reject(403, 'Credentials expired') };
    if (parsed.extension !== aor) return { ok: false, line: reject(403, 'Credentials are for another extension') };
    const user = findUserByExtension(db, accountId, parsed.extension);
    let actor: Actor | null = null;
    try {
      actor = user ? loadActor(db, user.id) : null;
    } catch (error) {
      if (!(error instanceof UnknownPolicyValue)) throw error;
    }
    if (!user || !actor) return { ok: false, line: reject(403, 'This extension may not use the phone') };
    if (parsed.deviceId !== null) {
      const device = getDevice(db, accountId, parsed.deviceId);
      if (!device || device.userId !== user.id || !deviceUsable(db, device.id))
        return { ok: false, line: reject(403, 'This desktop was removed from the team') };
    }
    const d = can(actor, 'phone.use', {});
    if (!d.allowed) return { ok: false, line: reject(403, d.reason) };
    return { ok: true, actor, extension: user.extension };
  }

  /** A call to a teammate's extension (or the next leg of a transfer). */
  function internalCall(callerUserId: number, to: string, referredBy: string): string {
    // Following a transfer: the same call goes on, to the teammate it was transferred to.
    const leg = referredBy
      ? o.tracker.continueTransfer({ toExtension: to, fromUserId: callerUserId, fromNumber: null })
      : null;
    if (leg) return verdictLine(leg, o.tracker.next(leg));
    const callee = findUserByExtension(db, accountId, to);
    if (!callee || !callee.active) return reject(404, `No one has extension ${to}`);
    const id = o.tracker.start({
      direction: 'internal',
      bnId: null,
      externalNumber: null,
      callFlowId: null,
      placedBy: callerUserId,
      events: [{ at: o.now(), kind: 'entered', userId: callerUserId, detail: 'Internal call' }],
      // A desk phone's rules: ring for 30 s, then the teammate's own voicemail.
      steps: [
        { kind: 'ring_user', userId: callee.id, ringSeconds: INTERNAL_RING_SECONDS },
        { kind: 'voicemail', userId: callee.id, groupId: null, texts: [] },
      ],
    });
    if (!id) return reject(503, 'Too many calls');
    const rec = recordable(o, id, { bnId: null, callFlowId: null, direction: 'internal', placedBy: callerUserId });
    return rec + verdictLine(id, o.tracker.next(id));
  }

  /** A call to the outside world with a granted caller ID. */
  function externalCall(actor: Actor, to: string, callerId: string): string {
    if (!E164.safeParse(to).success)
      return reject(484, 'Dial an extension or a number in international format (+1...)');

    // The caller ID: what the client asked for, else the user's default; granted or refused.
    let bnId: number | null;
    if (callerId !== '') {
      if (!E164.safeParse(callerId).success) return reject(403, 'The caller ID is not a business number');
      bnId = findNumberByE164(db, accountId, callerId)?.id ?? null;
      if (bnId === null) return reject(403, `${callerId} is not a business number of this account`);
    } else {
      bnId = actor.defaultBnId ?? actor.outboundCallBnIds[0] ?? null;
      if (bnId === null) return reject(403, 'No business number is granted to you for outside calls');
    }
    const d = can(actor, 'number.callFrom', { bnId });
    if (!d.allowed) return reject(403, d.reason);
    const bn = getNumber(db, accountId, bnId);
    if (!bn) return reject(403, 'That business number is no longer in service');
    const id = o.tracker.start({
      direction: 'outbound',
      bnId,
      externalNumber: to,
      callFlowId: null,
      placedBy: actor.userId,
      events: [{ at: o.now(), kind: 'entered', userId: actor.userId, detail: `Outbound call from ${bn.formatted}` }],
      steps: [],
    });
    if (!id) return reject(503, 'Too many calls');
    const rec = recordable(o, id, { bnId, callFlowId: null, direction: 'outbound', placedBy: actor.userId });
    return `${rec}external|${id}|${bn.e164}`;
  }

  /**
   * An emergency call: no grant of outbound numbers is needed and nothing
   * may stop it here; the caller ID is the caller's default number, else the
   * account's main one. Administrators are told at once.
   */
  function emergencyCall(actor: Actor, extension: string, to: string): string {
    const cid = emergencyCallerId(db, accountId, actor.userId);
    const at = o.now();
    const id = o.tracker.start({
      direction: 'outbound',
      bnId: cid?.bnId ?? null,
      externalNumber: to,
      callFlowId: null,
      placedBy: actor.userId,
      events: [{ at, kind: 'entered', userId: actor.userId, detail: `Emergency call to ${to}` }],
      steps: [],
    });
    try {
      o.onEmergency?.({
        userId: actor.userId,
        extension,
        number: to,
        callerId: cid?.e164 ?? null,
        bnId: cid?.bnId ?? null,
      });
    } catch (error) {
      o.log?.('The emergency call notice failed', error);
    }
    return id ? `external|${id}|${cid?.e164 ?? ''}` : reject(503, 'Too many calls');
  }

  return {
    ha1(au: string, aor: string): string {
      const c = caller(au, aor);
      if (!c.ok) return c.line;
      const password = sipPassword(o.secret, { accountId, userId: c.actor.userId, extension: c.extension }, au);
      return `ok|${ha1(au, o.domain, password)}`;
    },

    /**
     * A call placed by an authenticated team member: to an extension, or out
     * with a granted caller ID. For a call to an extension the last field is
     * the caller's name from the directory, which the proxy puts in From.
     */
    outbound(au: string, to: string, callerId: string, referredBy = ''): string {
      const parsed = parseAuthorizationUsername(au);
      const c = caller(au, parsed?.extension ?? '');
      if (!c.ok) return c.line;
      const { actor } = c;
      // Before extensions: 911 must never be taken for one.
      if (isEmergency(db, accountId, to)) return emergencyCall(actor, c.extension, to);
      if (Extension.safeParse(to).success) {
        const name = displayName(findUserByExtension(db, accountId, c.extension)?.name ?? '') || c.extension;
        return `${internalCall(actor.userId, to, referredBy)}|${name}`;
      }
      return externalCall(actor, to, callerId);
    },

    /** A call from the outside world: "none" unless it is for a business number of this account. */
    inbound(to: string, from: string, referredBy = '', source?: InboundSource): string {
      if (source && source.trunkId > 0) {
        const trunk = o.trunks?.recognise(source.trunkId, source.ip, source.requestUser) ?? null;
        if (!trunk) return reject(403, 'Not a call from a trunk of this service');
        // A registered trunk calls our Contact (the token): the DID is then in To.
        if (source.requestUser === trunk.contactToken) to = source.toUser;
      }
      const caller = E164.safeParse(from).success ? from : /^\d{7,15}$/.test(from) ? `+${from}` : null;
      // The outside party of a call follows a transfer to an extension: the same call goes on.
      if (referredBy && caller && Extension.safeParse(to).success) {
        const leg = o.tracker.continueTransfer({ toExtension: to, fromUserId: null, fromNumber: caller });
        return leg ? verdictLine(leg, o.tracker.next(leg)) : 'none';
      }
      const e164 = /^\d{7,15}$/.test(to) ? `+${to}` : to;
      if (!E164.safeParse(e164).success) return 'none';
      const bn = findNumberByE164(db, accountId, e164);
      if (!bn) {
        if (source)
          o.log?.(`A call from the carrier to ${e164.slice(0, 20)}, not a number of this account, was refused`);
        return 'none';
      }
      if (getAccount(db, accountId).status !== 'active') return reject(480, 'This number is not in service');
      const flow = bn.callFlowId === null ? null : getFlow(db, accountId, bn.callFlowId);
      const at = o.now();
      const plan = flow ? planCall(flow.steps, at) : { events: [], steps: [] };
      const id = o.tracker.start({
        direction: 'inbound',
        bnId: bn.id,
        externalNumber: caller,
        callFlowId: flow?.id ?? null,
        placedBy: null,
        events: [{ at, kind: 'entered', detail: flow ? flow.name : 'No call flow' }, ...plan.events],
        steps: plan.steps,
      });
      if (!id) return reject(503, 'Too many calls');
      const rec = recordable(o, id, {
        bnId: bn.id,
        callFlowId: flow?.id ?? null,
        direction: 'inbound',
        placedBy: null,
      });
      return rec + verdictLine(id, o.tracker.next(id));
    },

    /** The current ring step ended unanswered. */
    next(id: string, lastCode: number): string {
      return verdictLine(id, o.tracker.next(id, lastCode));
    },
  };
}

export type Decisions = ReturnType<typeof createDecisions>;
