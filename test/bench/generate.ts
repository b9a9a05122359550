import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { FlowStep } from '../../src/shared/api/entities';
import { createRandom, type Random } from '../../src/main/core/demo/random';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { migrations } from '../../src/main/core/store/migrations';

/**
 * The bench account: a generated company from a fixed seed, written straight
 * into the real schema with prepared statements in big transactions. Bump
 * GENERATOR_VERSION whenever the output changes; the cache key holds it, the
 * seed, the size and the schema version, so a stale file is never reused.
 */
export const GENERATOR_VERSION = 3;
export const BENCH_SEED = 20261101;
/** The bench's clock: 1 Nov 2026, 12:00 UTC (the tests' NOW). */
export const BENCH_NOW = Date.UTC(2026, 10, 1, 12);
const DAY = 86_400_000;
/** Two years of history, however many calls it holds. */
const SPAN = 730 * DAY;

export interface Shape {
  users: number;
  groups: number;
  flows: number;
  bns: number;
  calls: number;
  threads: number;
  messages: number;
}

/** 1,000 users, 100 groups, 20 flows, 50 BNs; messages and threads scale with the calls (200k / 20k at 1M). */
export const shapeFor = (calls: number): Shape => ({
  users: 1000,
  groups: 100,
  flows: 20,
  bns: 50,
  calls,
  threads: Math.max(20, Math.round(calls / 50)),
  messages: Math.max(100, Math.round(calls / 5)),
});

export interface Dataset {
  path: string;
  shape: Shape;
  seed: number;
  /** Seconds spent generating, or null when the cached file was reused. */
  generatedSeconds: number | null;
  /** Seconds the generation took when the file was made (this run or an earlier one). */
  generationSeconds: number;
  counts: Record<string, number>;
  bytes: number;
}

/** Zipf-like picker over 0..n-1: rank 0 is the busiest. */
function zipf(n: number, s: number): (r: Random) => number {
  const cum = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cum[i] = sum += 1 / Math.pow(i + 1, s);
  return (r) => {
    const x = r.next() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function distinct(r: Random, count: number, pick: (r: Random) => number): number[] {
  const out = new Set<number>();
  for (let tries = 0; out.size < count && tries < count * 20; tries++) out.add(pick(r));
  return [...out];
}

const areas = ['213', '310', '323', '332', '347', '415', '512', '646', '718', '917'];
/** A distinct external number per index. */
const external = (i: number) => `+1${areas[i % 10]}${String(2_000_000 + Math.floor(i / 10)).padStart(7, '0')}`;
const firstNames = [
  'Ava',
  'Ben',
  'Chloe',
  'Diego',
  'Elena',
  'Farah',
  'Gabe',
  'Hana',
  'Ivan',
  'Jade',
  'Kofi',
  'Lena',
  'Mateo',
  'Nora',
  'Owen',
  'Priya',
  'Quinn',
  'Rosa',
  'Sam',
  'Tara',
];
const lastNames = [
  'Adler',
  'Baker',
  'Chen',
  'Diaz',
  'Evans',
  'Fischer',
  'Gupta',
  'Hughes',
  'Ito',
  'Jensen',
  'Khan',
  'Lopez',
  'Moreau',
  'Novak',
  'Okafor',
  'Patel',
];
const texts = [
  'Hi, are you open on Saturday?',
  'Thanks, that works for me.',
  'Can you send the invoice again?',
  'We received the package, thank you!',
  'What time is my appointment tomorrow?',
  'Sure, I will call at 3pm.',
];
const transcripts = [
  'Hi, this is about my order from last week, please call me back.',
  'Hello, I would like a quote for ten more seats.',
  'Calling about the invoice, there is a charge I do not recognise.',
];
const EXTERNAL_POOL = 200_000;
const CONTACTS = 5_000;

interface Structure {
  userIds: number[];
  members: number[][];
  flowGroups: number[][];
  flowUser: (number | null)[];
  bnFlow: (number | null)[];
  callBns: number[][];
}

/** Account, users, groups, flows and numbers: ids are 1-based and equal to index + 1. */
function structure(db: Db, r: Random, s: Shape, t0: number): Structure {
  const run = (sql: string, ...p: unknown[]) => db.prepare(sql).run(...p);
  run(`INSERT INTO accounts (id, name, plan, created_at) VALUES (1, 'Bench Co', 'company', ?)`, t0);
  const bnPick = zipf(40, 1.1);
  const groupPick = zipf(s.groups, 0.9);

  const bnFlow: (number | null)[] = [];
  const insertBn = db.prepare(
    `INSERT INTO business_numbers (id, account_id, e164, label, created_at) VALUES (?, 1, ?, ?, ?)`,
  );
  for (let b = 0; b < s.bns; b++) {
    insertBn.run(b + 1, `+1415555${String(1000 + b).padStart(4, '0')}`, `Line ${b + 1}`, t0);
    bnFlow.push(b < 20 ? b % s.flows : b < 40 ? (b - 20) % 10 : null);
  }

  // Users: 0 owner, 1-4 Administrators, 5-14 Managers with All, 15-49 Managers with numbers, then Agents.
  const insertUser = db.prepare(
    `INSERT INTO users (id, account_id, extension, name, email, role, call_access, created_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?)`,
  );
  const insertNumber = db.prepare(`INSERT OR IGNORE INTO user_numbers (user_id, kind, bn_id) VALUES (?, ?, ?)`);
  const insertPerm = db.prepare(`INSERT INTO manager_permissions (user_id, permission) VALUES (?, ?)`);
  const insertMember = db.prepare(`INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)`);
  const userIds: number[] = [];
  const members: number[][] = Array.from({ length: s.groups }, () => []);
  const userGroups: number[][] = [];
  for (let u = 0; u < s.users; u++) {
    const role = u < 5 ? 'administrator' : u < 50 ? 'manager' : 'agent';
    const x = r.next();
    const level =
      role === 'administrator'
        ? 'all'
        : role === 'manager'
          ? u < 15
            ? 'all'
            : 'numbers'
          : x < 0.15
            ? 'personal'
            : x < 0.75
              ? 'group'
              : x < 0.95
                ? 'callflow'
                : 'numbers';
    const name = `${r.pick(firstNames)} ${r.pick(lastNames)}`;
    insertUser.run(u + 1, String(1000 + u), name, `user${u + 1}@bench.example`, role, level, t0);
    userIds.push(u + 1);
    if (level === 'numbers')
      for (const b of distinct(r, role === 'manager' ? r.int(2, 6) : r.int(1, 3), bnPick))
        insertNumber.run(u + 1, 'scope', b + 1);
    if (role === 'manager') {
      for (const p of [
        'callFlows',
        'addUsers',
        'userSettings',
        'userAccess',
        ...(u % 4 === 0 ? ['numbers', 'groups'] : []),
      ])
        insertPerm.run(u + 1, p);
    }
    const y = r.next();
    const groupCount = role !== 'agent' ? 0 : y < 0.1 ? 0 : y < 0.8 ? 1 : y < 0.93 ? 2 : r.int(3, 4);
    const mine = distinct(r, groupCount, groupPick);
    userGroups.push(mine);
    for (const g of mine) {
      insertMember.run(g + 1, u + 1);
      members[g]!.push(u + 1);
    }
  }
  // Every group has someone in it.
  members.forEach((list, g) => {
    if (list.length > 0) return;
    const u = r.int(50, s.users - 1);
    insertMember.run(g + 1, u + 1);
    list.push(u + 1);
    userGroups[u]!.push(g);
  });

  const insertGroup = db.prepare(`INSERT INTO user_groups (id, account_id, name, created_at) VALUES (?, 1, ?, ?)`);
  for (let g = 0; g < s.groups; g++) insertGroup.run(g + 1, `Team ${g + 1}`, t0);

  // Flow f rings groups f, f+20, … (1 to 5 of them) from a menu, and every third flow has a front desk.
  const insertFlow = db.prepare(
    `INSERT INTO call_flows (id, account_id, name, steps, created_at) VALUES (?, 1, ?, ?, ?)`,
  );
  const insertTarget = db.prepare(`INSERT INTO call_flow_targets (call_flow_id, group_id, user_id) VALUES (?, ?, ?)`);
  const flowGroups: number[][] = [];
  const flowUser: (number | null)[] = [];
  for (let f = 0; f < s.flows; f++) {
    const groups = Array.from({ length: 1 + (f % 5) }, (_, k) => f + 20 * k).filter((g) => g < s.groups);
    const desk = f % 3 === 0 ? 51 + f : null;
    flowGroups.push(groups);
    flowUser.push(desk);
    const branches: { key: string; steps: FlowStep[] }[] = groups.map((g, k) => ({
      key: String(k + 1),
      steps: [
        { kind: 'ring_group', groupId: g + 1, ringSeconds: 30 },
        { kind: 'voicemail', text: '', groupId: g + 1 },
      ],
    }));
    if (desk !== null) {
      branches.push({
        key: '0',
        steps: [
          { kind: 'ring_user', userId: desk, ringSeconds: 25 },
          { kind: 'voicemail', text: '', userId: desk },
        ],
      });
    }
    const steps: FlowStep[] = [
      { kind: 'greeting', text: `Thank you for calling line ${f + 1}.` },
      { kind: 'menu', text: 'Choose a team.', branches },
    ];
    insertFlow.run(f + 1, `Flow ${f + 1}`, JSON.stringify(steps), t0);
    for (const g of groups) insertTarget.run(f + 1, g + 1, null);
    if (desk !== null) insertTarget.run(f + 1, null, desk);
  }
  const route = db.prepare('UPDATE business_numbers SET call_flow_id = ? WHERE id = ?');
  bnFlow.forEach((f, b) => f !== null && route.run(f + 1, b + 1));
  run('UPDATE accounts SET owner_user_id = 1 WHERE id = 1');

  // Outbound numbers: the lines of the user's teams, else a busy line; sometimes an unrouted line too.
  const flowsOfGroup = new Map<number, number[]>();
  flowGroups.forEach((gs, f) => gs.forEach((g) => flowsOfGroup.set(g, [...(flowsOfGroup.get(g) ?? []), f])));
  const callBns: number[][] = [];
  const setDefault = db.prepare('UPDATE users SET default_bn_id = ? WHERE id = ?');
  for (let u = 0; u < s.users; u++) {
    if (u < 5) {
      callBns.push(Array.from({ length: s.bns }, (_, b) => b + 1));
      continue;
    }
    const lines = new Set<number>();
    for (const g of userGroups[u]!)
      for (const f of flowsOfGroup.get(g) ?? []) bnFlow.forEach((bf, b) => bf === f && lines.add(b + 1));
    if (lines.size === 0) lines.add(bnPick(r) + 1);
    if (r.chance(0.2)) lines.add(41 + r.int(0, s.bns - 41));
    const call = [...lines].slice(0, 4);
    callBns.push(call);
    for (const b of call) insertNumber.run(u + 1, 'call', b);
    for (const b of call.slice(0, 2)) insertNumber.run(u + 1, 'sms', b);
    setDefault.run(call[0], u + 1);
  }

  const insertContact = db.prepare(`INSERT INTO contacts (account_id, name, phone, created_at) VALUES (1, ?, ?, ?)`);
  for (let i = 0; i < CONTACTS; i++) insertContact.run(`${r.pick(firstNames)} ${r.pick(lastNames)}`, external(i), t0);
  const audit = db.prepare(
    `INSERT INTO audit_events (account_id, at, actor_user_id, action, target_type, target_id, summary) VALUES (1, ?, 1, 'user.add', 'user', ?, ?)`,
  );
  for (const id of userIds) audit.run(t0, id, `Added user ${id}`);
  return { userIds, members, flowGroups, flowUser, bnFlow, callBns };
}

function history(db: Db, r: Random, s: Shape, st: Structure, now: number, progress: (what: string) => void): void {
  const start = now - SPAN;
  const step = SPAN / s.calls;
  const bnPick = zipf(40, 1.1);
  const userPick = zipf(s.users, 0.6);
  const callerPick = zipf(EXTERNAL_POOL, 0.7);
  const groupInFlow = st.flowGroups.map((gs) => zipf(gs.length, 1));
  const memberPick = st.members.map((m) => zipf(m.length, 0.5));
  const call = db.prepare(
    `INSERT INTO calls (id, account_id, direction, result, bn_id, external_number, started_at, answered_at, ended_at, call_flow_id, group_id, has_voicemail)
     VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const participant = db.prepare(
    'INSERT INTO call_participants (user_id, started_at, call_id, role, has_voicemail) VALUES (?, ?, ?, ?, ?)',
  );
  const event = db.prepare(
    'INSERT INTO call_events (call_id, seq, at, kind, user_id, group_id) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const voicemail = db.prepare(
    'INSERT INTO voicemails (id, call_id, duration_seconds, transcript) VALUES (?, ?, ?, ?)',
  );
  const heard = db.prepare('INSERT INTO voicemail_reads (voicemail_id, user_id) VALUES (?, ?)');
  let vmId = 0;
  const batch = 50_000;
  for (let from = 0; from < s.calls; from += batch) {
    db.transaction(() => {
      for (let i = from; i < Math.min(s.calls, from + batch); i++) {
        const id = i + 1;
        const at = start + Math.floor((i + r.next()) * step);
        const kind = r.next();
        const outcome = r.next();
        const parts: [number, string][] = [];
        let dir: string;
        let result: string;
        let bn: number | null = null;
        let flow: number | null = null;
        let group: number | null = null;
        let ext: string | null = external(callerPick(r));
        if (kind < 0.6) {
          dir = 'inbound';
          const b = bnPick(r);
          const f = st.bnFlow[b]!;
          bn = b + 1;
          flow = f + 1;
          const desk = st.flowUser[f]!;
          if (desk !== null && r.chance(0.15)) {
            result = outcome < 0.7 ? 'answered' : outcome < 0.85 ? 'missed' : 'voicemail';
            parts.push([desk, result === 'answered' ? 'answered' : result]);
          } else {
            const g = st.flowGroups[f]![groupInFlow[f]!(r)]!;
            group = g + 1;
            result = outcome < 0.7 ? 'answered' : outcome < 0.85 ? 'missed' : 'voicemail';
            if (result === 'answered') {
              const by = st.members[g]![memberPick[g]!(r)]!;
              parts.push([by, 'answered']);
              if (r.chance(0.08)) {
                const to = st.userIds[userPick(r)]!;
                if (to !== by) parts.push([to, 'transferred']);
              }
            }
          }
        } else if (kind < 0.92) {
          dir = 'outbound';
          const u = userPick(r);
          bn = r.pick(st.callBns[u]!);
          result = outcome < 0.78 ? 'answered' : 'missed';
          parts.push([u + 1, 'placed']);
        } else {
          dir = 'internal';
          ext = null;
          const a = userPick(r);
          let b = userPick(r);
          if (b === a) b = (a + 1) % s.users;
          result = outcome < 0.85 ? 'answered' : 'missed';
          parts.push([a + 1, 'placed'], [b + 1, result === 'answered' ? 'answered' : 'missed']);
        }
        const answered = result === 'answered' ? at + r.int(3, 20) * 1000 : null;
        const ended = (answered ?? at) + r.int(15, 900) * 1000;
        const vm = result === 'voicemail';
        call.run(id, dir, result, bn, ext, at, answered, ended, flow, group, vm ? 1 : 0);
        for (const [u, role] of parts) participant.run(u, at, id, role, vm ? 1 : 0);
        event.run(id, 0, at, 'entered', null, group);
        if (answered !== null) event.run(id, 1, answered, 'answered', parts[parts.length - 1]?.[0] ?? null, null);
        event.run(id, 2, ended, vm ? 'voicemail' : 'ended', null, group);
        if (vm) {
          voicemail.run(++vmId, id, r.int(8, 90), r.pick(transcripts));
          // Older voicemails have been heard by someone on the team.
          const reader = group !== null ? st.members[group - 1]![0] : parts[0]?.[0];
          if (reader !== undefined && at < now - 30 * DAY) heard.run(vmId, reader);
        }
      }
    })();
    progress(`calls ${Math.min(s.calls, from + batch).toLocaleString('en-US')}/${s.calls.toLocaleString('en-US')}`);
  }

  // Threads: inbound ones are assigned to the first group of the BN's flow, others to a user of that line.
  const threadBnPick = zipf(s.bns, 1.1);
  const counts = new Array<number>(s.threads).fill(1);
  const busyThread = zipf(s.threads, 0.8);
  for (let m = s.threads; m < s.messages; m++) counts[busyThread(r)]! += 1;
  const thread = db.prepare(
    `INSERT INTO message_threads (id, account_id, bn_id, external_number, assigned_user_id, assigned_group_id, last_message_at, last_preview, last_direction)
     VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const message = db.prepare(
    'INSERT INTO messages (thread_id, direction, sender_user_id, body, sent_at) VALUES (?, ?, ?, ?, ?)',
  );
  const threadParticipant = db.prepare(
    'INSERT OR IGNORE INTO thread_participants (user_id, thread_id, last_message_at) VALUES (?, ?, ?)',
  );
  const read = db.prepare('INSERT OR REPLACE INTO thread_reads (user_id, thread_id, read_at) VALUES (?, ?, ?)');
  const lineUsersOf = Array.from({ length: s.bns }, (_, b) =>
    st.userIds.filter((_, u) => u >= 5 && st.callBns[u]!.includes(b + 1)),
  );
  const pairs = new Set<string>();
  let nextFresh = EXTERNAL_POOL;
  db.transaction(() => {
    for (let t = 0; t < s.threads; t++) {
      const b = threadBnPick(r);
      let ext = -1;
      for (let tries = 0; tries < 10 && ext < 0; tries++) {
        const e = callerPick(r);
        if (!pairs.has(`${b}:${e}`)) ext = e;
      }
      if (ext < 0) ext = nextFresh++;
      pairs.add(`${b}:${ext}`);
      const f = st.bnFlow[b] ?? null;
      const inbound = r.chance(0.65);
      const groupIdx = inbound && f !== null ? st.flowGroups[f]![0]! : null;
      const lineUsers = lineUsersOf[b]!;
      const user = groupIdx === null ? (lineUsers.length > 0 ? r.pick(lineUsers) : st.userIds[userPick(r)]!) : null;
      const team = groupIdx !== null ? st.members[groupIdx]! : [user!];
      const n = counts[t]!;
      const gaps: number[] = [];
      let total = 0;
      for (let m = 0; m < n; m++) total += gaps[m] = r.int(60_000, 8 * 3_600_000);
      const scale = total > SPAN / 2 ? SPAN / 2 / total : 1;
      let at = start + Math.floor(r.next() * (SPAN - total * scale - 60_000));
      const senders = new Set<number>(user !== null ? [user] : []);
      let last = { at, dir: 'inbound', body: '' };
      const rows: [string, number | null, string, number][] = [];
      for (let m = 0; m < n; m++) {
        at += Math.floor(gaps[m]! * scale);
        const out = inbound ? m % 2 === 1 : m % 2 === 0;
        const sender = out ? r.pick(team) : null;
        if (sender !== null) senders.add(sender);
        const body = r.pick(texts);
        rows.push([out ? 'outbound' : 'inbound', sender, body, at]);
        last = { at, dir: out ? 'outbound' : 'inbound', body };
      }
      thread.run(
        t + 1,
        b + 1,
        external(ext),
        user,
        groupIdx === null ? null : groupIdx + 1,
        last.at,
        last.body,
        last.dir,
      );
      for (const [dir, sender, body, sentAt] of rows) message.run(t + 1, dir, sender, body, sentAt);
      for (const u of senders) {
        threadParticipant.run(u, t + 1, last.at);
        if (last.at < now - 7 * DAY) read.run(u, t + 1, last.at);
      }
    }
  })();
  progress(`messages ${s.messages.toLocaleString('en-US')} in ${s.threads.toLocaleString('en-US')} threads`);
}

const tables = [
  'users',
  'user_groups',
  'call_flows',
  'business_numbers',
  'calls',
  'call_participants',
  'call_events',
  'voicemails',
  'message_threads',
  'messages',
  'thread_participants',
  'contacts',
];

export function countRows(db: Db): Record<string, number> {
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]));
}

/**
 * The cached bench database for this size, generated if missing. Generation
 * writes a temporary file with the journal and fsync off, then restores WAL
 * and renames it into place, so an interrupted run never leaves a half file
 * that a later run would trust.
 */
/**
 * The same account generated under an earlier schema, copied and brought up to
 * date by the app's own migrations, as a user's database would be: a new
 * migration does not cost a regeneration (a few minutes at 1M calls).
 */
function migrateEarlier(dir: string, calls: number, seed: number, path: string): Dataset | null {
  for (let m = migrations.length - 1; m >= 1; m--) {
    const earlier = join(dir, `bench-g${GENERATOR_VERSION}-m${m}-s${seed}-c${calls}.db`);
    if (!existsSync(earlier) || !existsSync(`${earlier}.json`)) continue;
    const tmp = `${path}.partial`;
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    const started = performance.now();
    copyFileSync(earlier, tmp);
    const db = openDatabase(tmp);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    renameSync(tmp, path);
    for (const f of [`${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    const before = JSON.parse(readFileSync(`${earlier}.json`, 'utf8')) as { generatedSeconds: number };
    const meta = {
      ...before,
      bytes: statSync(path).size,
      migratedFrom: m,
      migrationSeconds: (performance.now() - started) / 1000,
    };
    writeFileSync(`${path}.json`, JSON.stringify(meta, null, 2));
    return {
      ...(meta as unknown as Omit<Dataset, 'path'>),
      path,
      generatedSeconds: null,
      generationSeconds: before.generatedSeconds,
    };
  }
  return null;
}

export function ensureDataset(
  dir: string,
  calls: number,
  seed = BENCH_SEED,
  log: (line: string) => void = () => {},
): Dataset {
  const shape = shapeFor(calls);
  const key = `g${GENERATOR_VERSION}-m${migrations.length}-s${seed}-c${calls}`;
  const path = join(dir, `bench-${key}.db`);
  const metaPath = `${path}.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Omit<Dataset, 'path' | 'generatedSeconds'> & {
      generatedSeconds: number;
    };
    return { ...meta, path, generatedSeconds: null, generationSeconds: meta.generatedSeconds };
  }
  mkdirSync(dir, { recursive: true });
  const migrated = migrateEarlier(dir, calls, seed, path);
  if (migrated) return migrated;
  const tmp = `${path}.partial`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  const started = performance.now();
  const db = openDatabase(tmp);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1000000');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('foreign_keys = OFF');
    const r = createRandom(seed);
    const t0 = BENCH_NOW - SPAN - DAY;
    const st = db.transaction(() => structure(db, r, shape, t0))();
    history(db, r, shape, st, BENCH_NOW, (what) =>
      log(`  generated ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)`),
    );
    db.pragma('foreign_keys = ON');
    const problems = db.pragma('foreign_key_check') as unknown[];
    if (problems.length > 0) throw new Error(`generated data breaks ${problems.length} foreign keys`);
    const counts = countRows(db);
    db.pragma('locking_mode = NORMAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.close();
    renameSync(tmp, path);
    for (const f of [`${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    const meta = {
      shape,
      seed,
      counts,
      bytes: statSync(path).size,
      generatedSeconds: (performance.now() - started) / 1000,
    };
    writeFileSync(metaPath, JSON.stringify(meta, null, 2));
    return { ...meta, path, generationSeconds: meta.generatedSeconds };
  } catch (error) {
    if (db.open) db.close();
    rmSync(tmp, { force: true });
    throw error;
  }
}
