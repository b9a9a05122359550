import type { Db } from '../store/db';
import { insertCall, markVoicemailRead, type NewCall, type ParticipantRole } from '../store/repos/calls';
import { insertContact } from '../store/repos/contacts';
import { insertMessage, insertThread, markThreadRead } from '../store/repos/threads';
import { createRandom, type Random } from './random';
import type { DemoIds } from './seed';

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
  'Uma',
  'Victor',
  'Wes',
  'Yara',
  'Zane',
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
  'Quinn',
  'Rossi',
  'Silva',
  'Tanaka',
];
const companies = [
  'Acme Dental',
  'Bright Path Realty',
  'Cedar & Co',
  'Delta Plumbing',
  'Evergreen Vets',
  'Fulton Legal',
  'Granite Fitness',
  'Harbor Cafe',
  '',
];
export const demoAudioKey = (i: number) => `demo-vm${i}`;

/** What each demo recording says (resources/voicemail/vm<i>.wav). */
export const transcripts = [
  'Hi, this is about my order from last week, please call me back.',
  'Hello, I would like a quote for ten more seats.',
  'Calling about the invoice, there is a charge I do not recognise.',
  'Just checking on the status of my ticket, thanks.',
  'Please call me back when you get a chance, it is about the renewal.',
];
const texts = [
  'Hi, are you open on Saturday?',
  'Thanks, that works for me.',
  'Can you send the invoice again?',
  'We received the package, thank you!',
  'What time is my appointment tomorrow?',
  'Sure, I will call at 3pm.',
];

function phone(r: Random): string {
  const areas = ['213', '310', '323', '332', '347', '415', '512', '646', '718', '917'];
  return `+1${r.pick(areas)}${r.int(200, 989)}${String(r.int(0, 9999)).padStart(4, '0')}`;
}

/**
 * Generates a realistic history on the demo account: inbound calls through
 * each flow (answered, missed, voicemail, transfers), outbound and internal
 * calls, SMS threads and contacts. Deterministic for a given seed and `now`.
 */
export function generateHistory(
  db: Db,
  ids: DemoIds,
  o: { now: number; days: number; callsPerDay: number; seed: number; audioSeconds: readonly (number | null)[] },
): void {
  const r = createRandom(o.seed);
  recordings = o.audioSeconds;
  const U = ids.users as Record<string, number>;
  const u = (k: string) => U[k]!;
  const sales = [u('john'), u('peter'), u('jasmine')];
  const support = [u('jessica'), u('allie')];
  const billing = [u('dana'), u('omar')];
  const everyone = Object.values(U);

  const contacts: string[] = [];
  for (let i = 0; i < 180; i++) {
    const number = phone(r);
    contacts.push(number);
    insertContact(
      db,
      ids.accountId,
      {
        name: `${r.pick(firstNames)} ${r.pick(lastNames)}`,
        company: r.pick(companies),
        phone: number,
        email: '',
        notes: '',
      },
      o.now - o.days * 86_400_000,
    );
  }
  const caller = () => (r.chance(0.6) ? r.pick(contacts) : phone(r));
  const teamOf = new Map<number, number[]>([
    [ids.groups.sales, sales],
    [ids.groups.support, support],
    [ids.groups.billing, billing],
  ]);
  // Voicemails and messages older than a few days have been heard and read by their team.
  const recent = o.now - 4 * 86_400_000;
  const listened = (callId: number, at: number) => {
    if (at >= recent) return;
    const vm = db
      .prepare('SELECT v.id, c.group_id FROM voicemails v JOIN calls c ON c.id = v.call_id WHERE v.call_id = ?')
      .get(callId) as { id: number; group_id: number | null } | undefined;
    if (!vm) return;
    const box = db
      .prepare(`SELECT user_id FROM call_participants WHERE call_id = ? AND role = 'voicemail'`)
      .pluck()
      .all(callId) as number[];
    for (const userId of [...(vm.group_id !== null ? (teamOf.get(vm.group_id) ?? []) : []), ...box])
      markVoicemailRead(db, vm.id, userId);
  };

  const start = o.now - o.days * 86_400_000;
  const total = o.days * o.callsPerDay;
  for (let i = 0; i < total; i++) {
    // Business hours, Pacific: 8:00 to 18:00 is 16:00 to 02:00 UTC.
    const day = Math.floor(i / o.callsPerDay);
    const midnightUtc = Math.floor(start / 86_400_000) * 86_400_000 + day * 86_400_000;
    const at = midnightUtc + (16 + r.int(0, 9)) * 3_600_000 + r.int(0, 3_599_999);
    if (at >= o.now - 60_000) continue;
    const kind = r.next();
    if (kind < 0.55)
      listened(insertCall(db, mainLineCall(r, ids, at, caller(), { sales, support, karey: u('karey'), everyone })), at);
    else if (kind < 0.7) listened(insertCall(db, groupLineCall(r, ids, at, caller(), billing, u('john'))), at);
    else if (kind < 0.93) insertCall(db, outboundCall(r, ids, at, caller(), U));
    else insertCall(db, internalCall(r, ids, at, everyone));
  }

  // SMS threads: inbound ones follow the BN's flow (first group step); outbound ones belong to the sender.
  // One thread per (BN, other party): a number already talking to that BN gets a fresh one.
  const pairs = new Set<string>();
  const threadNumber = (bn: number) => {
    let n = caller();
    for (let tries = 0; pairs.has(`${bn}:${n}`) && tries < 20; tries++) n = phone(r);
    pairs.add(`${bn}:${n}`);
    return n;
  };
  const threadCount = Math.min(260, Math.max(20, o.days * 3));
  for (let i = 0; i < threadCount; i++) {
    const at = start + r.int(0, o.days * 86_400_000 - 3_600_000);
    const onBilling = r.chance(0.2);
    const bn = onBilling ? ids.numbers.billing : r.pick([ids.numbers.mainLA, ids.numbers.mainNY]);
    const inbound = r.chance(0.65);
    const team = onBilling ? billing : sales;
    const sender = r.pick(onBilling ? billing : [...sales, ...support, u('karey')]);
    const threadId = insertThread(db, {
      accountId: ids.accountId,
      bnId: bn,
      externalNumber: threadNumber(bn),
      assignedUserId: inbound ? null : sender,
      assignedGroupId: inbound ? (onBilling ? ids.groups.billing : ids.groups.sales) : null,
      at,
    });
    const count = r.int(1, 6);
    let last = at;
    for (let m = 0; m < count; m++) {
      const out = inbound ? m % 2 === 1 : m % 2 === 0;
      insertMessage(db, {
        threadId,
        direction: out ? 'outbound' : 'inbound',
        senderUserId: out ? (inbound ? r.pick(team) : sender) : null,
        body: r.pick(texts),
        at: (last += r.int(60_000, 3_600_000)),
      });
    }
    if (last < recent) for (const userId of inbound ? team : [sender]) markThreadRead(db, threadId, userId, last);
  }
}

type Ev = NewCall['events'][number];

/** Seconds of each demo recording (index = transcript), or null when it was not loaded. */
let recordings: readonly (number | null)[] = [];

function finish(
  base: Omit<NewCall, 'participants' | 'events' | 'voicemail' | 'answeredAt' | 'endedAt' | 'result'>,
  r: Random,
  events: Ev[],
  outcome:
    | { result: 'answered'; by: number; transferTo?: number | undefined; byRole?: ParticipantRole }
    | { result: 'missed'; rangUser?: number | undefined }
    | { result: 'voicemail'; boxUser?: number | undefined },
  extra: { userId: number; role: ParticipantRole }[] = [],
): NewCall {
  const t = base.startedAt;
  const participants = [...extra];
  let answeredAt: number | null = null;
  let endedAt = t + r.int(15, 40) * 1000;
  let voicemail: NewCall['voicemail'] = null;
  if (outcome.result === 'answered') {
    answeredAt = t + r.int(3, 20) * 1000;
    endedAt = answeredAt + r.int(30, 900) * 1000;
    participants.push({ userId: outcome.by, role: outcome.byRole ?? 'answered' });
    events.push({ at: answeredAt, kind: 'answered', userId: outcome.by });
    if (outcome.transferTo !== undefined && outcome.transferTo !== outcome.by) {
      participants.push({ userId: outcome.transferTo, role: 'transferred' });
      events.push({
        at: answeredAt + 60_000,
        kind: 'transferred',
        userId: outcome.transferTo,
        detail: 'Attended transfer',
      });
    }
  } else if (outcome.result === 'missed') {
    if (outcome.rangUser !== undefined) participants.push({ userId: outcome.rangUser, role: 'missed' });
  } else {
    const t = r.int(0, transcripts.length - 1);
    const seconds = recordings[t] ?? null;
    const duration = seconds ?? r.int(8, 90);
    voicemail = {
      durationSeconds: duration,
      transcript: transcripts[t]!,
      audioKey: seconds === null ? null : demoAudioKey(t),
    };
    if (outcome.boxUser !== undefined) participants.push({ userId: outcome.boxUser, role: 'voicemail' });
    events.push({
      at: endedAt - duration * 1000,
      kind: 'voicemail',
      userId: outcome.boxUser ?? null,
      groupId: base.groupId,
      detail: `${duration}s message`,
    });
  }
  events.push({ at: endedAt, kind: 'ended' });
  return { ...base, result: outcome.result, answeredAt, endedAt, participants, events, voicemail };
}

function mainLineCall(
  r: Random,
  ids: DemoIds,
  at: number,
  from: string,
  t: { sales: number[]; support: number[]; karey: number; everyone: number[] },
): NewCall {
  const bnId = r.pick([ids.numbers.mainLA, ids.numbers.mainNY]);
  const choice = r.next();
  const events: Ev[] = [
    { at, kind: 'entered', detail: 'Main line' },
    { at: at + 1000, kind: 'greeting' },
  ];
  const outcome = r.next();
  if (choice < 0.8) {
    const toSales = choice < 0.45;
    const group = toSales ? ids.groups.sales : ids.groups.support;
    const members = toSales ? t.sales : t.support;
    events.push({ at: at + 6000, kind: 'menu', detail: toSales ? 'Pressed 1' : 'Pressed 2' });
    events.push({ at: at + 7000, kind: 'ring_group', groupId: group });
    for (const m of members) events.push({ at: at + 7000, kind: 'rang', userId: m, groupId: group });
    const base = {
      accountId: ids.accountId,
      direction: 'inbound' as const,
      bnId,
      externalNumber: from,
      startedAt: at,
      callFlowId: ids.flows.main,
      groupId: group,
    };
    if (outcome < 0.7) {
      const by = r.pick(members);
      const transferTo = r.chance(0.12) ? r.pick(t.everyone) : undefined;
      return finish(base, r, events, { result: 'answered', by, transferTo });
    }
    if (outcome < 0.85) return finish(base, r, events, { result: 'missed' });
    return finish(base, r, events, { result: 'voicemail' });
  }
  events.push({ at: at + 8000, kind: 'menu', detail: choice < 0.9 ? 'Pressed 0' : 'No input' });
  events.push({ at: at + 9000, kind: 'ring_user', userId: t.karey });
  const base = {
    accountId: ids.accountId,
    direction: 'inbound' as const,
    bnId,
    externalNumber: from,
    startedAt: at,
    callFlowId: ids.flows.main,
    groupId: null,
  };
  if (outcome < 0.75)
    return finish(base, r, events, {
      result: 'answered',
      by: t.karey,
      transferTo: r.chance(0.2) ? r.pick(t.sales) : undefined,
    });
  if (outcome < 0.85) return finish(base, r, events, { result: 'missed', rangUser: t.karey });
  return finish(base, r, events, { result: 'voicemail', boxUser: t.karey });
}

function groupLineCall(
  r: Random,
  ids: DemoIds,
  at: number,
  from: string,
  members: number[],
  outsider: number,
): NewCall {
  const events: Ev[] = [
    { at, kind: 'entered', detail: 'Billing line' },
    { at: at + 500, kind: 'hours_open' },
    { at: at + 1000, kind: 'ring_group', groupId: ids.groups.billing },
    ...members.map((m) => ({ at: at + 1000, kind: 'rang', userId: m, groupId: ids.groups.billing })),
  ];
  const base = {
    accountId: ids.accountId,
    direction: 'inbound' as const,
    bnId: ids.numbers.billing,
    externalNumber: from,
    startedAt: at,
    callFlowId: ids.flows.billing,
    groupId: ids.groups.billing,
  };
  const outcome = r.next();
  // Now and then Billing hands a caller to Sales (John): John took part, so he sees this call.
  if (outcome < 0.72)
    return finish(base, r, events, {
      result: 'answered',
      by: r.pick(members),
      transferTo: r.chance(0.05) ? outsider : undefined,
    });
  if (outcome < 0.86) return finish(base, r, events, { result: 'missed' });
  return finish(base, r, events, { result: 'voicemail' });
}

function outboundCall(r: Random, ids: DemoIds, at: number, to: string, U: Record<string, number>): NewCall {
  const n = ids.numbers;
  const callers: [string, number[]][] = [
    ['john', [n.mainLA, n.mainNY]],
    ['peter', [n.mainLA, n.mainNY]],
    ['jasmine', [n.mainLA]],
    ['jessica', [n.mainNY]],
    ['allie', [n.mainLA, n.mainNY]],
    ['karey', [n.mainLA, n.mainNY]],
    ['leo', [n.mainLA, n.mainNY, n.tollFree]],
    ['dana', [n.billing]],
    ['omar', [n.billing, n.tollFree]],
    ['morgan', [n.tollFree, n.mainLA]],
  ];
  const [key, bns] = r.pick(callers);
  const userId = U[key]!;
  const bnId = r.pick(bns);
  const events: Ev[] = [{ at, kind: 'entered', userId, detail: 'Outbound call' }];
  const base = {
    accountId: ids.accountId,
    direction: 'outbound' as const,
    bnId,
    externalNumber: to,
    startedAt: at,
    callFlowId: null,
    groupId: null,
  };
  if (r.chance(0.78)) {
    const answeredAt = at + r.int(4, 20) * 1000;
    const endedAt = answeredAt + r.int(20, 1200) * 1000;
    return {
      ...base,
      result: 'answered',
      answeredAt,
      endedAt,
      participants: [{ userId, role: 'placed' }],
      events: [
        ...events,
        { at: answeredAt, kind: 'answered', detail: 'Callee answered' },
        { at: endedAt, kind: 'ended' },
      ],
      voicemail: null,
    };
  }
  const endedAt = at + r.int(15, 40) * 1000;
  return {
    ...base,
    result: 'missed',
    answeredAt: null,
    endedAt,
    participants: [{ userId, role: 'placed' }],
    events: [...events, { at: endedAt, kind: 'ended', detail: 'No answer' }],
    voicemail: null,
  };
}

function internalCall(r: Random, ids: DemoIds, at: number, everyone: number[]): NewCall {
  const from = r.pick(everyone);
  let to = r.pick(everyone);
  if (to === from) to = everyone[(everyone.indexOf(from) + 1) % everyone.length]!;
  const answeredAt = at + r.int(2, 10) * 1000;
  const endedAt = answeredAt + r.int(15, 600) * 1000;
  return {
    accountId: ids.accountId,
    direction: 'internal',
    result: 'answered',
    bnId: null,
    externalNumber: null,
    startedAt: at,
    answeredAt,
    endedAt,
    callFlowId: null,
    groupId: null,
    participants: [
      { userId: from, role: 'placed' },
      { userId: to, role: 'answered' },
    ],
    events: [
      { at, kind: 'entered', userId: from, detail: 'Internal call' },
      { at: answeredAt, kind: 'answered', userId: to },
      { at: endedAt, kind: 'ended' },
    ],
    voicemail: null,
  };
}
