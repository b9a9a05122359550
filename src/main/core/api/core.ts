import { createHash, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import type { EventName, PushEvent } from '../../../shared/api/events';
import type { ConnectOptions, Core, CoreConnection, CoreOptions } from '../index';
import { can, loadActor, UnknownPolicyValue, type Actor } from '../policy';
import { openDatabase, type Db } from '../store/db';
import { PHONE_NOT_RUNNING, type Audience, type PhoneState, type Session, type TeamServerInfo } from './context';
import { createRouter, createSessionReader, type RouterOptions } from './router';
import { createSecurity } from './signInGuard';
import { seedDemoIfEmpty } from '../demo/seed';
import { callFacts, insertCall, type NewCall } from '../store/repos/calls';
import { stmt } from '../store/stmt';
import { deviceForCredential, deviceUsable, touchDevice } from '../store/repos/devices';
import { startRetention } from '../recordings/retention';
import { seedDemoRecordings } from '../recordings/demo';
import { dataDirOf } from '../recordings/files';

interface Client {
  session: Session;
  onEvent: (event: PushEvent) => void;
  /** Called when the session is ended from elsewhere, so the host can close the client. */
  onEnd: (() => void) | undefined;
}

/** Decides which signed-in clients hear of a change, using the same policy as everything else. */
function reaches(db: Db, actor: Actor, audience: Audience): boolean {
  switch (audience.kind) {
    case 'account':
      return actor.accountId === audience.accountId;
    case 'users':
      return audience.userIds.includes(actor.userId);
    case 'call':
      return can(actor, 'call.view', audience.call).allowed;
    case 'thread':
      return can(actor, 'thread.view', audience.thread).allowed;
  }
}

/** Runs one write with synchronous=NORMAL, then puts the connection's own setting back. */
function withoutWaitingForDisk<T>(db: Db, write: () => T): T {
  // The level cannot change inside a transaction; a nested write commits with its outer one anyway.
  if (db.inTransaction) return write();
  const level = stmt(db, 'PRAGMA synchronous').pluck().get() as number;
  if (level <= 1) return write();
  stmt(db, 'PRAGMA synchronous = NORMAL').run();
  try {
    return write();
  } finally {
    stmt(db, `PRAGMA synchronous = ${level === 3 ? 'EXTRA' : 'FULL'}`).run();
  }
}

const sameStamp = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export const createSession = (): Session => ({ userId: null, viewAsUserId: null, generation: 0, ended: false });

export function createCoreWithDb(
  db: Db,
  options: Pick<CoreOptions, 'now' | 'sip'> & { validateOutput?: boolean },
): Core {
  const now = options.now ?? Date.now;
  const clients = new Set<Client>();
  let phone: PhoneState = options.sip ? { sip: options.sip, problem: null } : PHONE_NOT_RUNNING;

  /** The events of `events` that reach a user (none for one the policy cannot read). */
  const eventsFor = (userId: number, events: { name: EventName; audience: Audience }[]): EventName[] => {
    let actor: Actor | null;
    try {
      actor = loadActor(db, userId);
    } catch (error) {
      // Deny by default: a user the policy cannot read hears of nothing, and
      // the change that was just committed is not reported as a failure.
      if (error instanceof UnknownPolicyValue) return [];
      throw error;
    }
    if (!actor) return [];
    const names = new Set<EventName>();
    for (const e of events) if (!names.has(e.name) && reaches(db, actor, e.audience)) names.add(e.name);
    return [...names];
  };

  const publish = (events: { name: EventName; audience: Audience }[]) => {
    // Decided once per user, not per client: a person often has several windows and tabs open.
    const decided = new Map<number, EventName[]>();
    for (const client of clients) {
      const userId = client.session.viewAsUserId ?? client.session.userId;
      if (userId === null) continue;
      let names = decided.get(userId);
      if (!names) decided.set(userId, (names = eventsFor(userId, events)));
      for (const name of names) client.onEvent({ name });
    }
  };

  const security = createSecurity(db, now, (accountId) =>
    publish([{ name: 'audit.changed', audience: { kind: 'account', accountId } }]),
  );

  const withdrawPhone = (userId: number, deviceId: number | null) => {
    try {
      if (phone.sip) phone.withdraw?.({ userId, deviceId });
    } catch (error) {
      console.error('Withdrawing the phone registrations failed', error);
    }
  };

  /** A new generation for the user: every session of theirs but `keep` is over, and its clients are told. */
  const endSessions = (userId: number, keep: Session | null) => {
    // Deactivated (not a password change): their phones' registrations and calls end too.
    if (stmt(db, 'SELECT active FROM users WHERE id = ?').pluck().get(userId) === 0) withdrawPhone(userId, null);
    const generation = security.generations.next(userId);
    if (keep?.userId === userId) keep.generation = generation;
    for (const client of clients) {
      const s = client.session;
      if (s === keep || s.userId !== userId) continue;
      s.userId = null;
      s.viewAsUserId = null;
      s.ended = true;
      client.onEnd?.();
    }
  };

  /** A revoked desktop's sessions end, and their clients are told (the host closes them as refused). */
  const endDevice = (deviceId: number) => {
    const userId = stmt(db, 'SELECT user_id FROM devices WHERE id = ?').pluck().get(deviceId) as number | undefined;
    if (userId !== undefined) withdrawPhone(userId, deviceId);
    for (const client of clients) {
      const s = client.session;
      if (s.deviceId !== deviceId) continue;
      s.userId = null;
      s.viewAsUserId = null;
      s.ended = true;
      client.onEnd?.();
    }
  };
  let teamServer: TeamServerInfo | null = null;

  /** Derived from the password hash: a new password (or deactivation, null) ends kept sessions too. */
  const sessionStamp = (userId: number): string | null => {
    const hash = stmt(db, 'SELECT password_hash FROM users WHERE id = ? AND active = 1').pluck().get(userId) as
      string | null | undefined;
    if (!hash) return null;
    return createHash('sha256').update(`teamline-session-stamp:${userId}:${hash}`).digest('base64url');
  };
  // Recordings past their account's retention go soon after start and then hourly (docs/policy-decisions.md).
  const stopRetention = startRetention(db, now, (accountIds) =>
    publish(
      accountIds.flatMap((accountId) => [
        { name: 'calls.changed' as const, audience: { kind: 'account' as const, accountId } },
        { name: 'audit.changed' as const, audience: { kind: 'account' as const, accountId } },
      ]),
    ),
  );

  const routerOptions: RouterOptions = {
    db,
    now,
    validateOutput: options.validateOutput ?? false,
    publish,
    log: (message, error) => console.error(message, error),
    phone: () => phone,
    security,
    endSessions,
    endDevice,
    teamServer: () => teamServer,
  };
  const dispatch = createRouter(routerOptions);
  const readAs = createSessionReader(routerOptions);

  return {
    db,
    setPhone(state: PhoneState) {
      phone = state;
    },
    setTeamServer(info: TeamServerInfo | null) {
      teamServer = info;
    },
    announce(name: EventName, audience: Audience) {
      publish([{ name, audience }]);
    },
    /**
     * Records a finished call (from what the SIP side saw) and tells everyone
     * who may see it. Returns the call's id.
     *
     * A call record is history reported after the fact, so it commits without
     * waiting for the disk (synchronous=NORMAL for this one transaction): WAL
     * keeps the database consistent, and the next synchronous commit (any
     * access change) or checkpoint makes it durable. Only a power cut or an OS
     * crash in between could lose it; access changes still wait for the disk.
     * See docs/performance.md, "Writes".
     */
    recordCall(call: NewCall): number {
      const id = withoutWaitingForDisk(db, () => db.transaction(() => insertCall(db, call)).immediate());
      const facts = callFacts(db, call.accountId, id);
      if (facts) {
        const events: { name: EventName; audience: Audience }[] = [
          { name: 'calls.changed', audience: { kind: 'call', call: facts } },
        ];
        if (call.voicemail) events.push({ name: 'voicemails.changed', audience: { kind: 'call', call: facts } });
        publish(events);
      }
      return id;
    },
    /**
     * A new client. Several clients may share one session (browser tabs with
     * the same cookie); signing out in one signs out all.
     */
    connect(
      onEvent: (event: PushEvent) => void,
      session: Session = createSession(),
      from: ConnectOptions = {},
    ): CoreConnection {
      const client: Client = { session, onEvent, onEnd: from.onEnd };
      const info = { address: from.address ?? null };
      clients.add(client);
      return {
        invoke: (method, input) => Promise.resolve(dispatch(client.session, method, input, info)),
        read: (read) => readAs(client.session, read),
        close: () => {
          clients.delete(client);
        },
      };
    },
    deviceSession(credential: string): Session | null {
      const device = deviceForCredential(db, credential);
      if (!device) return null;
      touchDevice(db, device.id, now());
      return {
        userId: device.userId,
        viewAsUserId: null,
        generation: security.generations.of(device.userId),
        ended: false,
        deviceId: device.id,
      };
    },
    deviceUsable(deviceId: number): boolean {
      return deviceUsable(db, deviceId);
    },
    isCurrent(session: Session): boolean {
      return (
        session.userId !== null && !session.ended && session.generation === security.generations.of(session.userId)
      );
    },
    sessionStamp,
    resumeSession(userId: number, stamp: string): Session | null {
      const now = sessionStamp(userId);
      if (now === null || !sameStamp(now, stamp)) return null;
      return { userId, viewAsUserId: null, generation: security.generations.of(userId), ended: false };
    },
    close() {
      stopRetention();
      clients.clear();
      security.failedAudit.flush();
      db.close();
    },
  };
}

/** Opens the account database and serves the API to connections. */
export function createCore(options: CoreOptions): Core {
  const db = openDatabase(options.dbPath, { nativeBinding: options.nativeBinding });
  if (options.demoIfEmpty) {
    const audioDir = options.resourcesDir ? join(options.resourcesDir, 'voicemail') : undefined;
    const now = (options.now ?? Date.now)();
    const ids = seedDemoIfEmpty(db, now, { audioDir });
    const dataDir = dataDirOf(db);
    if (ids && dataDir !== null) seedDemoRecordings(db, dataDir, ids, now);
  }
  return createCoreWithDb(db, options);
}
