import { join } from 'node:path';
import type { EventName, PushEvent } from '../../../shared/api/events';
import type { Connection, Core, CoreOptions } from '../index';
import { can, loadActor, type Actor } from '../policy';
import { openDatabase, type Db } from '../store/db';
import type { Audience, Session } from './context';
import { createRouter } from './router';
import { seedDemoIfEmpty } from '../demo/seed';
import { callFacts, insertCall, type NewCall } from '../store/repos/calls';

interface Client {
  session: Session;
  onEvent: (event: PushEvent) => void;
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

export const createSession = (): Session => ({ userId: null, viewAsUserId: null, signIn: { failures: 0, lockedUntil: 0 } });

export function createCoreWithDb(db: Db, options: Pick<CoreOptions, 'now'> & { validateOutput?: boolean }) {
  const now = options.now ?? Date.now;
  const clients = new Set<Client>();

  const publish = (events: { name: EventName; audience: Audience }[]) => {
    for (const client of clients) {
      const userId = client.session.viewAsUserId ?? client.session.userId;
      if (userId === null) continue;
      const actor = loadActor(db, userId);
      if (!actor) continue;
      const names = new Set<EventName>();
      for (const e of events) if (!names.has(e.name) && reaches(db, actor, e.audience)) names.add(e.name);
      for (const name of names) client.onEvent({ name });
    }
  };

  const dispatch = createRouter({
    db,
    now,
    validateOutput: options.validateOutput ?? false,
    publish,
    log: (message, error) => console.error(message, error),
  });

  return {
    db,
    publish,
    /**
     * Records a finished call (from what the SIP side saw) and tells everyone
     * who may see it. Returns the call's id.
     */
    recordCall(call: NewCall): number {
      const id = db.transaction(() => insertCall(db, call)).immediate();
      const facts = callFacts(db, call.accountId, id);
      if (facts) {
        const events: { name: EventName; audience: Audience }[] = [{ name: 'calls.changed', audience: { kind: 'call', call: facts } }];
        if (call.voicemail) events.push({ name: 'voicemails.changed', audience: { kind: 'call', call: facts } });
        publish(events);
      }
      return id;
    },
    /**
     * A new client. Several clients may share one session (browser tabs with
     * the same cookie); signing out in one signs out all.
     */
    connect(onEvent: (event: PushEvent) => void, session: Session = createSession()): Connection {
      const client: Client = { session, onEvent };
      clients.add(client);
      return {
        invoke: (method, input) => Promise.resolve(dispatch(client.session, method, input)),
        close: () => {
          clients.delete(client);
        },
      };
    },
    close() {
      clients.clear();
      db.close();
    },
  };
}

/** Opens the account database and serves the API to connections. */
export function createCore(options: CoreOptions): Core {
  const db = openDatabase(options.dbPath, { nativeBinding: options.nativeBinding });
  if (options.demoIfEmpty) {
    const audioDir = options.resourcesDir ? join(options.resourcesDir, 'voicemail') : undefined;
    seedDemoIfEmpty(db, (options.now ?? Date.now)(), { audioDir });
  }
  return createCoreWithDb(db, options);
}
