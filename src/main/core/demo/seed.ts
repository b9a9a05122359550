import type { FlowStep } from '../../../shared/api/entities';
import { hashPassword } from '../domain/password';
import { writeAudit } from '../api/audit';
import type { Db } from '../store/db';
import { insertAccount, markDemo, setOwner, updateBilling } from '../store/repos/account';
import { insertFlow } from '../store/repos/flows';
import { insertGroup, setGroupMembers } from '../store/repos/groups';
import { insertNumber, routeNumber } from '../store/repos/numbers';
import { stmt } from '../store/stmt';
import { insertUser, setPermissions, setUserNumbers, updateUser } from '../store/repos/users';
import { defaultManagerPermissions } from '../policy';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { insertVoicemailAudio } from '../store/repos/calls';
import { demoAudioKey, generateHistory, transcripts } from './history';
import { DEMO_ACCOUNT_NAME, DEMO_PASSWORD, demoEmail, demoNumbers, demoPeople } from './people';

export const DEMO_SEED = 20261123;

export interface DemoIds {
  accountId: number;
  users: Record<string, number>;
  groups: { sales: number; support: number; billing: number };
  flows: { main: number; billing: number };
  numbers: { mainLA: number; mainNY: number; billing: number; tollFree: number };
}

export interface DemoOptions {
  /** Folder of the demo voicemail recordings (resources/voicemail); without it voicemails have no audio. */
  audioDir?: string | undefined;
  /** Days of history to generate (0 for none). */
  days?: number;
  callsPerDay?: number;
  seed?: number;
}

/** Loads the demo account into an empty database; does nothing if any account exists. */
export function seedDemoIfEmpty(db: Db, now: number, options: DemoOptions = {}): DemoIds | null {
  const any = stmt(db, 'SELECT 1 FROM accounts LIMIT 1').get();
  return any ? null : seedDemo(db, now, options);
}

/** Loads the demo recordings that exist; returns each one's length in seconds (null when missing). */
function loadRecordings(db: Db, dir: string | undefined): (number | null)[] {
  return transcripts.map((_, i) => {
    const file = dir ? join(dir, `vm${i}.wav`) : null;
    if (!file || !existsSync(file)) return null;
    const wav = readFileSync(file);
    insertVoicemailAudio(db, demoAudioKey(i), 'audio/wav', wav);
    // 16-bit mono PCM: byte rate at offset 28, data after a 44-byte header.
    return Math.max(1, Math.round((wav.length - 44) / wav.readUInt32LE(28)));
  });
}

/**
 * The worked example of POLICY.md §5, exactly, plus a second line (Billing)
 * with its own flow and group, and a history generated from a fixed seed.
 */
export function seedDemo(db: Db, now: number, options: DemoOptions = {}): DemoIds {
  return db.transaction(() => {
    const t0 = now - (options.days ?? 90) * 86_400_000 - 86_400_000;
    const accountId = insertAccount(db, DEMO_ACCOUNT_NAME, 'company', t0);
    markDemo(db, accountId);
    const hash = hashPassword(DEMO_PASSWORD);
    const users: Record<string, number> = {};
    for (const p of demoPeople) {
      users[p.key] = insertUser(db, {
        accountId,
        extension: p.extension,
        name: p.name,
        email: demoEmail(p),
        title: p.title,
        timezone: 'America/Los_Angeles',
        role: p.role,
        callAccess: p.callAccess,
        passwordHash: hash,
        createdAt: t0,
      });
    }
    const u = (key: string) => users[key]!;
    setOwner(db, accountId, u('morgan'));
    updateBilling(db, accountId, {
      contactName: 'Morgan Reyes',
      contactEmail: 'billing@teamline.demo',
      addressLine1: '600 Wilshire Blvd',
      addressLine2: 'Suite 1200',
      city: 'Los Angeles',
      region: 'CA',
      postalCode: '90017',
      country: 'US',
    });

    const numbers = {
      mainLA: insertNumber(db, accountId, demoNumbers.mainLA.e164, demoNumbers.mainLA.label, t0),
      mainNY: insertNumber(db, accountId, demoNumbers.mainNY.e164, demoNumbers.mainNY.label, t0),
      billing: insertNumber(db, accountId, demoNumbers.billing.e164, demoNumbers.billing.label, t0),
      tollFree: insertNumber(db, accountId, demoNumbers.tollFree.e164, demoNumbers.tollFree.label, t0),
    };

    const groups = {
      sales: insertGroup(db, accountId, 'Sales', t0),
      support: insertGroup(db, accountId, 'Support', t0),
      billing: insertGroup(db, accountId, 'Billing', t0),
    };
    setGroupMembers(db, groups.sales, [u('john'), u('peter'), u('jasmine')]);
    setGroupMembers(db, groups.support, [u('jessica'), u('allie')]);
    setGroupMembers(db, groups.billing, [u('dana'), u('omar')]);

    const mainSteps: FlowStep[] = [
      { kind: 'greeting', text: 'Thank you for calling Teamline Demo.' },
      {
        kind: 'menu',
        text: 'For Sales press 1. For Support press 2. To reach the front desk press 0.',
        branches: [
          {
            key: '1',
            steps: [
              { kind: 'ring_group', groupId: groups.sales, ringSeconds: 30 },
              { kind: 'voicemail', text: 'Leave Sales a message.', groupId: groups.sales },
            ],
          },
          {
            key: '2',
            steps: [
              { kind: 'ring_group', groupId: groups.support, ringSeconds: 30 },
              { kind: 'voicemail', text: 'Leave Support a message.', groupId: groups.support },
            ],
          },
          {
            key: '0',
            steps: [
              { kind: 'ring_user', userId: u('karey'), ringSeconds: 25 },
              { kind: 'voicemail', text: '', userId: u('karey') },
            ],
          },
          {
            key: 'timeout',
            steps: [
              { kind: 'ring_user', userId: u('karey'), ringSeconds: 25 },
              { kind: 'voicemail', text: '', userId: u('karey') },
            ],
          },
        ],
      },
    ];
    const billingSteps: FlowStep[] = [
      {
        kind: 'hours',
        timezone: 'America/Los_Angeles',
        open: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:00' })),
        branches: [
          {
            key: 'closed',
            steps: [{ kind: 'voicemail', text: 'Billing is closed; leave a message.', groupId: groups.billing }],
          },
        ],
      },
      { kind: 'ring_group', groupId: groups.billing, ringSeconds: 30 },
      { kind: 'voicemail', text: 'Leave Billing a message.', groupId: groups.billing },
    ];
    const flows = {
      main: insertFlow(db, accountId, 'Main line', mainSteps, t0),
      billing: insertFlow(db, accountId, 'Billing line', billingSteps, t0),
    };
    routeNumber(db, numbers.mainLA, flows.main);
    routeNumber(db, numbers.mainNY, flows.main);
    routeNumber(db, numbers.billing, flows.billing);

    // Outbound numbers (POLICY.md §4): each team calls and texts from its own lines.
    const grant = (key: string, call: number[], sms: number[], def: number) => {
      setUserNumbers(db, u(key), 'call', call);
      setUserNumbers(db, u(key), 'sms', sms);
      updateUser(db, u(key), { defaultBnId: def });
    };
    const main = [numbers.mainLA, numbers.mainNY];
    grant('john', main, main, numbers.mainLA);
    grant('peter', main, [numbers.mainLA], numbers.mainLA);
    grant('jasmine', [numbers.mainLA], [numbers.mainLA], numbers.mainLA);
    grant('jessica', [numbers.mainNY], [numbers.mainNY], numbers.mainNY);
    grant('allie', main, [numbers.mainNY], numbers.mainNY);
    grant('karey', main, main, numbers.mainLA);
    grant('leo', [...main, numbers.tollFree], main, numbers.mainLA);
    grant('dana', [numbers.billing], [numbers.billing], numbers.billing);
    grant('omar', [numbers.billing, numbers.tollFree], [numbers.billing], numbers.billing);
    setUserNumbers(db, u('leo'), 'scope', main);
    setPermissions(db, u('leo'), defaultManagerPermissions);

    seedCatalogue(db);
    seedContactsAndAudit(db, accountId, u('morgan'), t0);

    const ids: DemoIds = { accountId, users, groups, flows, numbers };
    if ((options.days ?? 90) > 0) {
      generateHistory(db, ids, {
        now,
        days: options.days ?? 90,
        callsPerDay: options.callsPerDay ?? 45,
        seed: options.seed ?? DEMO_SEED,
        audioSeconds: loadRecordings(db, options.audioDir),
      });
    }
    return ids;
  })();
}

function seedCatalogue(db: Db): void {
  const insert = stmt(db, 'INSERT OR IGNORE INTO number_catalogue (e164, region, monthly_cents) VALUES (?, ?, ?)');
  const areas: [string, string][] = [
    ['213', 'Los Angeles, CA'],
    ['212', 'New York, NY'],
    ['312', 'Chicago, IL'],
    ['415', 'San Francisco, CA'],
    ['512', 'Austin, TX'],
    ['617', 'Boston, MA'],
    ['206', 'Seattle, WA'],
    ['305', 'Miami, FL'],
  ];
  areas.forEach(([area, region], i) => {
    for (let n = 0; n < 5; n++)
      insert.run(`+1${area}555${String(1000 + i * 37 + n * 211).padStart(4, '0')}`, region, 800);
  });
  for (let n = 0; n < 4; n++) insert.run(`+1888555${String(2000 + n * 17)}`, 'Toll-free', 1500);
}

function seedContactsAndAudit(db: Db, accountId: number, ownerId: number, t0: number): void {
  const entries: [string, string][] = [
    ['Set up the account', 'account'],
    ['Created the groups Sales, Support and Billing', 'group'],
    ['Created the call flows Main line and Billing line', 'callFlow'],
    ['Made Leo Martin a Manager over the two Main line numbers', 'user'],
    ["Set Jasmine Lee's call access to Personal", 'user'],
    ["Set Karey Wilson's call access to Call flow", 'user'],
  ];
  entries.forEach(([summary, targetType], i) =>
    writeAudit(db, {
      accountId,
      at: t0 + i * 60_000,
      actorUserId: ownerId,
      action: 'demo.setup',
      targetType: targetType as 'account',
      targetId: null,
      summary,
      before: null,
      after: null,
    }),
  );
}
