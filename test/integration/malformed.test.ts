import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { insertEmergency } from '../../src/main/core/store/repos/emergencies';
import { contract, methods, publicMethods, type Input, type Method } from '../../src/shared/api/contract';
import { Cursor, E164, Email, Extension, Id, PageLimit, Timestamp } from '../../src/shared/primitives';
import type { ApiResult, ErrorCode } from '../../src/shared/result';
import { makeCore, NOW, snapshot, type Client, type TestCore } from '../helpers/core';
import { addOtherAccount } from '../helpers/otherAccount';
import { registerRecording } from '../../src/main/core/recordings';

/**
 * Issue requirement 15: malformed input on every method — wrong types, missing
 * fields, unknown fields, oversized strings, bad E.164, bad extensions and
 * emails, unknown ids and ids of another account's rows — answers `invalid`,
 * `not_found` or `forbidden`, never `internal`, leaks no SQL or stack trace,
 * and changes nothing.
 *
 * The cases are derived from the contract: each method's zod input schema is
 * walked, so a method or a field added later is covered without editing this
 * file — except for one valid sample per method (below), which every case
 * breaks in exactly one place. A method without a sample fails the typecheck
 * and the first test.
 */

let tc: TestCore;
let other: ReturnType<typeof addOtherAccount>;
/** Rows of the demo account made for these tests. */
let own: {
  trunkId: number;
  emergencyId: number;
  callId: number;
  voicemailId: number;
  threadId: number;
  contactId: number;
  integrationId: number;
  tagId: number;
  noteId: number;
  recordingId: number;
};
/** Rows of the demo account that were deleted or released: ids that no longer name anything live. */
let gone: { groupId: number; flowId: number; bnId: number };
let clients: { who: string; client: Client; userId: number }[];

beforeAll(async () => {
  tc = makeCore({ days: 0 });
  other = addOtherAccount(tc.db);
  const morgan = await tc.as('morgan');
  const callId = tc.recordCall({
    accountId: tc.ids.accountId,
    direction: 'inbound',
    result: 'voicemail',
    bnId: tc.ids.numbers.mainLA,
    externalNumber: '+13105550177',
    startedAt: NOW - 60_000,
    answeredAt: null,
    endedAt: NOW - 30_000,
    callFlowId: tc.ids.flows.main,
    groupId: tc.ids.groups.sales,
    participants: [],
    events: [],
    voicemail: { durationSeconds: 4, transcript: 'Please call back' },
  });
  const voicemailId = tc.db.prepare('SELECT id FROM voicemails WHERE call_id = ?').pluck().get(callId) as number;
  const message = await morgan.ok('messages.send', { bnId: tc.ids.numbers.mainLA, to: '+13105550177', body: 'Hello' });
  const contact = await morgan.ok('contacts.create', { name: 'Casey Client', phone: '+13105550177' });
  const integration = await morgan.ok('integrations.create', {
    provider: 'hubspot',
    name: 'CRM',
    settings: { instanceUrl: 'https://crm.example.com', logCalls: true, logMessages: false, createContacts: false },
  });
  const tag = await morgan.ok('callTags.create', { name: 'Follow up' });
  const { notes } = await morgan.ok('callNotes.add', { callId, body: 'Called back' });
  const trunk = await morgan.ok('carrier.saveTrunk', {
    name: 'Carrier',
    host: 'sip.carrier.example',
    port: 5060,
    transport: 'udp',
    registration: null,
    allowCidrs: ['203.0.113.0/24'],
  });
  const emergencyId = insertEmergency(tc.db, {
    accountId: tc.ids.accountId,
    at: NOW - 20_000,
    userId: tc.ids.users.jasmine!,
    extension: '103',
    number: '911',
    bnId: tc.ids.numbers.mainNY,
    callerId: '+13322139228',
  });
  own = {
    trunkId: trunk.id,
    emergencyId,
    callId,
    voicemailId,
    threadId: message.threadId,
    contactId: contact.id,
    integrationId: integration.id,
    tagId: tag.id,
    noteId: notes[0]!.id,
    recordingId: registerRecording(tc.db, {
      accountId: tc.ids.accountId,
      callId,
      path: 'recordings/malformed.wav',
      format: 'wav',
      durationMs: 1000,
      sizeBytes: 16_044,
      startedAt: NOW - 50_000,
    }),
  };

  const group = await morgan.ok('groups.create', { name: 'Gone group', memberIds: [] });
  await morgan.ok('groups.delete', { groupId: group.id });
  const flow = await morgan.ok('callFlows.create', { name: 'Gone flow', steps: [] });
  await morgan.ok('callFlows.delete', { callFlowId: flow.id });
  const [offer] = await morgan.ok('numbers.catalogue', {});
  const bn = await morgan.ok('numbers.buy', { e164: offer!.e164, label: 'Gone' });
  await morgan.ok('numbers.release', { bnId: bn.id });
  gone = { groupId: group.id, flowId: flow.id, bnId: bn.id };
  morgan.close();

  clients = [
    { who: 'Administrator morgan', client: await tc.as('morgan'), userId: tc.ids.users.morgan! },
    { who: 'Manager leo', client: await tc.as('leo'), userId: tc.ids.users.leo! },
    { who: 'Agent john', client: await tc.as('john'), userId: tc.ids.users.john! },
  ];
});

// ---------------------------------------------------------------------------
// Valid samples: one or more per method. Each case breaks exactly one thing in
// one of them, so the refusal is owed to that one thing.

type Samples = { [M in Method]: Input<M>[] };

function samples(): Samples {
  const u = tc.ids.users as Record<string, number>;
  const n = tc.ids.numbers;
  const g = tc.ids.groups;
  const settings = {
    instanceUrl: 'https://crm.example.com',
    logCalls: true,
    logMessages: false,
    createContacts: false,
  };
  const steps = [
    { kind: 'greeting' as const, text: 'Hello' },
    {
      kind: 'menu' as const,
      text: 'Press 1',
      branches: [{ key: '1', steps: [{ kind: 'ring_group' as const, groupId: g.sales, ringSeconds: 20 }] }],
    },
    { kind: 'ring_user' as const, userId: u.karey!, ringSeconds: 20 },
    { kind: 'voicemail' as const, text: 'Leave a message', userId: u.karey!, groupId: g.support },
  ];
  const callFilter = {
    direction: 'inbound' as const,
    result: 'voicemail' as const,
    bnId: n.mainLA,
    callFlowId: tc.ids.flows.main,
    groupId: g.sales,
    userId: u.john!,
    search: 'call',
    tagId: own.tagId,
    from: NOW - 86_400_000,
    to: NOW,
  };
  const { result: _result, ...voicemailFilter } = callFilter;
  // The dashboard's hour-of-day link: the list's, its count's and the voicemails' (the dashboard takes none).
  const hourOfDay = { hour: 9, timezone: 'America/Los_Angeles' };
  return {
    'auth.signIn': [
      { login: 'john@teamline.demo', password: 'not-the-password' },
      // An email nobody has: a wrong guess at a real user is audited, which is a change.
      { login: 'nobody@example.com', password: 'not-the-password', accountId: 1 },
    ],
    'auth.signOut': [{}],
    'auth.me': [{}],
    'auth.demoUsers': [{}],
    'auth.viewAs': [{ userId: u.john! }],
    'auth.changePassword': [{ current: 'not-the-password', next: 'a-brand-new-password' }],
    'users.list': [{ search: 'a', role: 'agent', groupId: g.sales, includeInactive: true }],
    'users.get': [{ userId: u.john! }],
    'users.add': [
      {
        name: 'Nina New',
        email: 'nina@teamline.demo',
        extension: '150',
        password: 'a-long-password',
        role: 'agent',
        callAccess: 'numbers',
        scopeBnIds: [n.mainLA],
        outboundCallBnIds: [n.mainLA],
        smsBnIds: [n.mainNY],
        groupIds: [g.sales],
        title: 'Sales',
        timezone: 'America/Chicago',
      },
    ],
    'users.duplicate': [
      {
        sourceUserId: u.john!,
        name: 'Nina New',
        email: 'nina@teamline.demo',
        extension: '150',
        password: 'a-long-password',
      },
    ],
    'users.deactivate': [{ userId: u.peter! }],
    'users.reactivate': [{ userId: u.peter! }],
    'users.updateSettings': [
      {
        userId: u.peter!,
        name: 'Pete',
        email: 'pete@teamline.demo',
        extension: '151',
        title: 'Sales',
        timezone: 'America/Chicago',
      },
    ],
    'users.setRole': [{ userId: u.peter!, role: 'manager' }],
    'users.roleTable': [{}],
    'users.setCallAccess': [
      { userId: u.peter!, callAccess: 'numbers', scopeBnIds: [n.mainLA, n.mainNY] },
      // Scope ids sent with another level must name real numbers too.
      { userId: u.peter!, callAccess: 'group', scopeBnIds: [n.mainLA] },
    ],
    'users.setOutboundNumbers': [
      { userId: u.peter!, outboundCallBnIds: [n.mainLA, n.mainNY], smsBnIds: [n.mainNY], defaultBnId: n.mainLA },
    ],
    'users.setManagerPermissions': [{ userId: u.leo!, permissions: ['billing', 'numbers'] }],
    'users.update': [
      {
        userId: u.leo!,
        name: 'Leo M.',
        email: 'leo.m@teamline.demo',
        extension: '155',
        title: 'Lead',
        timezone: 'America/Chicago',
        role: 'manager',
        callAccess: 'numbers',
        scopeBnIds: [n.mainLA],
        outboundCallBnIds: [n.mainLA],
        smsBnIds: [n.mainLA],
        defaultBnId: n.mainLA,
        permissions: ['billing'],
      },
    ],
    'groups.list': [{}],
    'groups.create': [{ name: 'Night shift', memberIds: [u.john!, u.peter!] }],
    'groups.rename': [{ groupId: g.sales, name: 'Sales team' }],
    'groups.setMembers': [{ groupId: g.sales, memberIds: [u.john!, u.peter!] }],
    'groups.delete': [{ groupId: g.sales }],
    'callFlows.list': [{}],
    'callFlows.get': [{ callFlowId: tc.ids.flows.main }],
    'callFlows.create': [{ name: 'Night line', steps }],
    'callFlows.update': [{ callFlowId: tc.ids.flows.main, name: 'Main', steps }],
    'callFlows.delete': [{ callFlowId: tc.ids.flows.main }],
    'numbers.list': [{}],
    'numbers.catalogue': [{ search: '+1206' }],
    'numbers.buy': [{ e164: '+12065551222', label: 'New line' }],
    'numbers.add': [{ trunkId: own.trunkId, numbers: ['+12065551299', '+12065551298'], label: 'Carrier line' }],
    'numbers.setLabel': [{ bnId: n.mainLA, label: 'LA' }],
    'numbers.route': [{ bnId: n.mainLA, callFlowId: tc.ids.flows.billing }],
    'numbers.setTrunk': [{ bnId: n.mainLA, trunkId: own.trunkId }],
    'numbers.release': [{ bnId: n.mainLA }],
    'contacts.lookup': [{ phone: '+12135550100' }],
    'contacts.list': [
      { search: 'a', cursor: Buffer.from(`Casey\u0000${own.contactId}`).toString('base64url'), limit: 10 },
    ],
    'contacts.create': [
      {
        name: 'New Person',
        company: 'Co',
        phone: '+13105550111',
        email: 'new@example.com',
        notes: 'Met at a fair',
        sharedNumber: false,
      },
    ],
    'contacts.update': [
      {
        contactId: own.contactId,
        name: 'Renamed',
        company: 'Co',
        phone: '+13105550112',
        email: 'renamed@example.com',
        notes: '',
        sharedNumber: false,
      },
    ],
    'contacts.delete': [{ contactId: own.contactId }],
    'integrations.list': [{}],
    'integrations.create': [{ provider: 'hubspot', name: 'CRM 2', settings }],
    'integrations.update': [{ integrationId: own.integrationId, name: 'CRM renamed', settings }],
    'integrations.delete': [{ integrationId: own.integrationId }],
    'carrier.get': [{}],
    'carrier.saveTrunk': [
      {
        trunkId: own.trunkId,
        name: 'Carrier 2',
        host: 'sip.carrier.example',
        port: null,
        transport: 'tcp',
        registration: {
          username: 'office',
          authUsername: 'office-auth',
          password: 'a-password',
          realm: 'carrier.example',
          expiry: 600,
        },
        allowCidrs: ['203.0.113.0/24'],
        outboundProxy: 'proxy.carrier.example:5070',
        callerIdMode: 'from',
        callerIdPlus: false,
        role: 'fallback',
        smsLong: true,
      },
    ],
    'carrier.deleteTrunk': [{ trunkId: own.trunkId }],
    'carrier.saveSettings': [{ country: 'US', mainBnId: n.mainLA }],
    'carrier.test': [{ trunkId: own.trunkId }],
    'emergencies.list': [{}],
    'emergencies.acknowledge': [{ emergencyId: own.emergencyId }],
    'billing.get': [{}],
    'billing.update': [
      {
        contactName: 'Pat Payer',
        contactEmail: 'pat@example.com',
        addressLine1: '1 Main St',
        addressLine2: 'Suite 2',
        city: 'Los Angeles',
        region: 'CA',
        postalCode: '90001',
        country: 'US',
      },
    ],
    'billing.previewPlanChange': [{ plan: 'business' }],
    'billing.changePlan': [{ plan: 'business' }],
    'account.get': [{}],
    'account.cancel': [{ confirmName: 'Teamline Demo' }],
    'account.transferOwnership': [{ userId: u.dana ?? u.karey! }],
    'audit.list': [{ cursor: `${NOW}:1`, limit: 10, actorUserId: u.morgan!, targetType: 'user', from: 0, to: NOW }],
    'calls.list': [{ cursor: `${NOW}:1`, limit: 10, ...callFilter, hasRecording: true, ...hourOfDay }],
    'exports.prepare': [
      { kind: 'calls', filter: { direction: 'inbound' } },
      { kind: 'audit', filter: { actorUserId: u.morgan! } },
      { kind: 'messages', filter: { search: '555' } },
    ],
    'calls.count': [{ ...callFilter, hasRecording: true, ...hourOfDay }],
    'calls.filterOptions': [{}],
    'calls.get': [{ callId: own.callId }],
    'calls.authorizeOutbound': [
      { bnId: n.mainLA, to: '+13105550100' },
      { bnId: n.mainLA, to: '101' },
    ],
    'calls.suggestCallerId': [{ to: '+13105550100' }, { to: '101' }],
    'callTags.list': [{}],
    'callTags.create': [{ name: 'Callback' }],
    'callTags.rename': [{ tagId: own.tagId, name: 'Call back' }],
    'callTags.delete': [{ tagId: own.tagId }],
    'callAnnotations.get': [{ callId: own.callId }],
    'callAnnotations.list': [{ callIds: [own.callId] }],
    'callAnnotations.addTag': [{ callId: own.callId, tagId: own.tagId }],
    'callAnnotations.removeTag': [{ callId: own.callId, tagId: own.tagId }],
    'callNotes.add': [{ callId: own.callId, body: 'Left a message' }],
    'callNotes.edit': [{ noteId: own.noteId, body: 'Left two messages' }],
    'callNotes.delete': [{ noteId: own.noteId }],
    'recordings.list': [{ callId: own.callId }],
    'recordings.audio': [{ recordingId: own.recordingId, purpose: 'play', handle: 'A'.repeat(32), offset: 0 }],
    'recordings.delete': [{ recordingId: own.recordingId }],
    'recordingSettings.get': [{}],
    'recordingSettings.update': [{ retentionDays: 90, internalMode: 'on_demand' }],
    'recordingSettings.setNumber': [{ bnId: n.mainLA, mode: 'always' }],
    'recordingSettings.setFlow': [{ callFlowId: tc.ids.flows.main, mode: 'always', notice: 'This call is recorded.' }],
    'liveRecording.get': [{ sipCallId: 'a84b4c76e66710@pc33.teamline.test' }],
    'liveRecording.start': [{ sipCallId: 'a84b4c76e66710@pc33.teamline.test' }],
    'liveRecording.stop': [{ sipCallId: 'a84b4c76e66710@pc33.teamline.test' }],
    'dashboard.get': [{ ...callFilter, from: NOW - 7 * 86_400_000, to: NOW, timezone: 'America/Los_Angeles' }],
    'voicemails.list': [
      { cursor: `${NOW}:1`, limit: 10, unreadOnly: true, ...voicemailFilter, hasRecording: true, ...hourOfDay },
    ],
    'voicemails.audio': [{ voicemailId: own.voicemailId }],
    'voicemails.markRead': [{ voicemailId: own.voicemailId }],
    'messages.threads': [{ cursor: `${NOW}:1`, limit: 10, bnId: n.mainLA, search: 'a', from: 0, to: NOW }],
    'messages.list': [{ threadId: own.threadId, cursor: `${NOW}:1`, limit: 10 }],
    'messages.markRead': [{ threadId: own.threadId }],
    'messages.why': [{ threadId: own.threadId }],
    'inbox.counts': [{}],
    'messages.send': [{ bnId: n.mainLA, to: '+13105550100', body: 'Hello there' }],
    'sip.credentials': [{}],
    'sip.directory': [{}],
    'sip.setAvailability': [{ availability: 'dnd' }],
    'invitations.create': [{ userId: u.john!, expiresInDays: 7 }],
    'invitations.list': [{ userId: u.john! }],
    'invitations.revoke': [{ invitationId: 1 }],
    'invitations.inspect': [{ token: 'A'.repeat(43) }],
    'invitations.redeem': [{ token: 'A'.repeat(43), password: 'a-brand-new-password', deviceName: 'Desk 1' }],
    'devices.list': [{ userId: u.john! }],
    'devices.revoke': [{ deviceId: 1 }],
  };
}

/** Drops keys whose value is undefined (a sample may spread a filter and then unset one field). */
const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

// ---------------------------------------------------------------------------
// Walking zod schemas (v4: `schema.def`).

interface Def {
  type: string;
  innerType?: z.ZodType;
  getter?: () => z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
}
const defOf = (s: z.ZodType) => (s as unknown as { def: Def }).def;
const wrappers = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);

/** Primitives with a meaning of their own, recognised by identity wherever they are used. */
type Tag = 'id' | 'e164' | 'extension' | 'email' | 'timestamp' | 'cursor' | 'limit';
const tagged: [z.ZodType, Tag][] = [
  [Id, 'id'],
  [E164, 'e164'],
  [Extension, 'extension'],
  [Email, 'email'],
  [Timestamp, 'timestamp'],
  [Cursor, 'cursor'],
  [PageLimit, 'limit'],
];

/** The tags a schema carries, through wrappers and union options. */
function tagsOf(schema: z.ZodType): Set<Tag> {
  const tags = new Set<Tag>();
  const walk = (s: z.ZodType) => {
    for (const [p, tag] of tagged) if (s === p) tags.add(tag);
    const d = defOf(s);
    if (wrappers.has(d.type)) walk(d.innerType!);
    else if (d.type === 'lazy') walk(d.getter!());
    else if (d.type === 'union') d.options!.forEach(walk);
  };
  walk(schema);
  return tags;
}

/** The schema under its optional/nullable/default/lazy wrappers. */
function bare(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const d = defOf(s);
    if (wrappers.has(d.type)) s = d.innerType!;
    else if (d.type === 'lazy') s = d.getter!();
    else return s;
  }
}

type JsType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null' | 'bigint';
const jsType = (v: unknown): JsType => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsType));

/** Which JS types a schema accepts at all (before refinements). */
function acceptedTypes(schema: z.ZodType): Set<JsType> {
  const d = defOf(bare(schema));
  switch (d.type) {
    case 'string':
      return new Set(['string']);
    case 'number':
      return new Set(['number']);
    case 'boolean':
      return new Set(['boolean']);
    case 'array':
      return new Set(['array']);
    case 'object':
      return new Set(['object']);
    case 'enum':
      return new Set(Object.values(d.entries!).map(jsType));
    case 'literal':
      return new Set(d.values!.map(jsType));
    case 'pipe':
      return acceptedTypes(d.in!);
    case 'union':
      return new Set(d.options!.flatMap((o) => [...acceptedTypes(o)]));
    default:
      return new Set();
  }
}

const OVERSIZED = 'x'.repeat(10_000);
const UNKNOWN_ID = 999_999;
const wrongTypePool: [string, unknown][] = [
  ['a number', 12345],
  ['a string', 'text'],
  ['a boolean', true],
  ['an array', ['text']],
  ['an object', { value: 1 }],
  ['a bigint', 1n],
];

/** Bad values for each tag; those a particular field happens to accept (a union with '') are dropped. */
const badByTag: Record<Tag, [string, unknown][]> = {
  id: [
    ['-1', -1],
    ['0', 0],
    ['1.5', 1.5],
    ['2^53', 2 ** 53],
    ['2^60', 2 ** 60],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['"1" (a string)', '1'],
    ['1n (a bigint)', 1n],
  ],
  e164: [
    ['12136472453 (no plus)', '12136472453'],
    ['+0123 (zero country code, too short)', '+0123'],
    ['+1213647245399999 (too long)', '+1213647245399999'],
    ['abc', 'abc'],
    ['+1 (213) 647-2453 (formatted)', '+1 (213) 647-2453'],
    ['empty', ''],
    ['a newline inside', '+1213647\n2453'],
  ],
  extension: [
    ['1 (too short)', '1'],
    ['1234567 (too long)', '1234567'],
    ['10a', '10a'],
    ['" 100" (space)', ' 100'],
    ['+100', '+100'],
    ['full-width digits', '\uFF11\uFF10\uFF10'],
    ['empty', ''],
  ],
  email: [
    ['not-an-email', 'not-an-email'],
    ['a@', 'a@'],
    ['@example.com', '@example.com'],
    ['a b@example.com', 'a b@example.com'],
    ['a@b@example.com', 'a@b@example.com'],
    ['empty', ''],
    ['oversized local part', `${'a'.repeat(300)}@example.com`],
  ],
  timestamp: [
    ['-1', -1],
    ['1.5', 1.5],
    ['past the year 275760', 8.64e15 + 1],
    ['NaN', NaN],
  ],
  cursor: [
    ['abc', 'abc'],
    ['"1:" (half)', '1:'],
    ['"1:2:3"', '1:2:3'],
    ['17 digits', `${'9'.repeat(17)}:1`],
    ['SQL in it', "1:1' OR '1'='1"],
    ['negative', '-1:1'],
  ],
  limit: [
    ['0', 0],
    ['201', 201],
    ['1.5', 1.5],
    ['-1', -1],
    ['10^9', 1e9],
  ],
};

/** Strings that are refused by some fields (names, time zones, countries…); dropped where a field accepts them. */
const hostileStrings: [string, string][] = [
  ['empty', ''],
  ['only spaces', '   '],
  ['a path', '../../etc/passwd'],
  ['SQL', "'; DROP TABLE users; --"],
  ['a NUL byte', 'a\u0000b'],
];

/** Other-account ids by field name; an id field missing here fails the coverage test. */
const foreignFor: Record<string, keyof ReturnType<typeof addOtherAccount>> = {
  userId: 'userId',
  sourceUserId: 'userId',
  actorUserId: 'userId',
  memberIds: 'userId',
  groupId: 'groupId',
  groupIds: 'groupId',
  callFlowId: 'flowId',
  bnId: 'bnId',
  scopeBnIds: 'bnId',
  outboundCallBnIds: 'bnId',
  smsBnIds: 'bnId',
  defaultBnId: 'bnId',
  callId: 'callId',
  threadId: 'threadId',
  contactId: 'contactId',
  integrationId: 'integrationId',
  trunkId: 'trunkId',
  emergencyId: 'emergencyId',
  mainBnId: 'bnId',
  voicemailId: 'voicemailId',
  invitationId: 'invitationId',
  deviceId: 'deviceId',
  callIds: 'callId',
  tagId: 'tagId',
  noteId: 'noteId',
  recordingId: 'recordingId',
  accountId: 'accountId',
};

/**
 * shape: the schema itself refuses it (must answer `invalid`);
 * id: well-formed, but an id names nothing the actor may reach (`not_found` or `forbidden`);
 * semantic: well-formed, refused by the handler.
 */
type Kind = 'shape' | 'id' | 'semantic';
interface Case {
  method: Method;
  what: string;
  input: unknown;
  kind: Kind;
  /** The codes it may answer. Shape cases must also fail the schema locally; the others must pass it. */
  codes: readonly ErrorCode[];
  /** The id field an `id` case breaks (for the coverage test). */
  field?: string;
}
const SHAPE: readonly ErrorCode[] = ['invalid'];
const ID: readonly ErrorCode[] = ['not_found', 'forbidden'];

interface Variant {
  what: string;
  value: unknown;
  kind: Kind;
  /** 'assert': the schema must refuse it; 'filter': kept only if the schema refuses it. */
  check: 'assert' | 'filter';
  idField?: string;
}

/** Every way to break the value at one place in the input, derived from its schema. */
function variants(schema: z.ZodType, sample: unknown, path: string, key: string): Variant[] {
  const out: Variant[] = [];
  const shape = (what: string, value: unknown, check: 'assert' | 'filter' = 'assert') =>
    out.push({ what: `${path}: ${what}`, value, kind: 'shape', check });
  const accepted = acceptedTypes(schema);
  const tags = tagsOf(schema);
  const b = bare(schema);
  const d = defOf(b);

  for (const [label, value] of wrongTypePool)
    if (!accepted.has(jsType(value))) shape(`${label} instead of ${[...accepted].join('|')}`, value);
  if (!schema.safeParse(null).success) shape('null', null);

  for (const tag of tags) {
    for (const [label, value] of badByTag[tag]) shape(`bad ${tag} ${label}`, value, tag === 'id' ? 'assert' : 'filter');
    if (tag === 'id') {
      const wrap = (id: number) => (jsType(sample) === 'array' ? [id] : id);
      out.push({
        what: `${path}: unknown id ${UNKNOWN_ID}`,
        value: wrap(UNKNOWN_ID),
        kind: 'id',
        check: 'assert',
        idField: key,
      });
      const foreign = foreignFor[key];
      if (!foreign) throw new Error(`No other-account row for the id field "${key}" (${path}); add it to foreignFor`);
      out.push({
        what: `${path}: id of another account's ${foreign}`,
        value: wrap(other[foreign]),
        kind: 'id',
        check: 'assert',
        idField: key,
      });
    }
  }

  if (accepted.has('string')) {
    shape('10,000 characters', OVERSIZED);
    for (const [label, value] of hostileStrings) shape(label, value, 'filter');
  }
  if (accepted.has('number') && !tags.has('id')) {
    shape('NaN', NaN);
    shape('Infinity', Infinity);
    for (const value of [-1, 1.5, 1e12]) shape(String(value), value, 'filter');
  }
  if (d.type === 'enum') {
    const first = String(Object.values(d.entries!)[0]);
    for (const value of ['superuser', '', first.toUpperCase(), '__proto__', 'toString'])
      shape(`enum value "${value}"`, value);
  }
  if (d.type === 'literal') shape('another literal', 'not-this-one');

  if (d.type === 'array' && Array.isArray(sample)) {
    const element = d.element!;
    const filler = sample[0] ?? (tagsOf(element).has('id') ? 1 : undefined);
    if (filler !== undefined)
      shape(
        '10,001 items',
        Array.from({ length: 10_001 }, () => filler),
      );
    // An empty list gets one valid item, so that its elements are broken too.
    const items = sample.length > 0 ? sample : filler !== undefined ? [filler] : [];
    items.forEach((item, i) => {
      for (const v of variants(element, item, `${path}[${i}]`, key))
        out.push({ ...v, value: items.map((x, j) => (j === i ? v.value : x)) });
    });
  }

  if (d.type === 'union' && !accepted.has('string')) {
    // A discriminated union of objects (flow steps): break the option this sample is.
    const option = d.options!.find((o) => o.safeParse(sample).success);
    if (option) for (const v of objectVariants(option, sample, path)) out.push(v);
  }
  if (d.type === 'object') for (const v of objectVariants(b, sample, path)) out.push(v);
  return out;
}

/** Missing fields, unknown fields, and every field broken in turn. */
function objectVariants(schema: z.ZodType, sample: unknown, path: string): Variant[] {
  const out: Variant[] = [];
  const shapeOf = defOf(bare(schema)).shape!;
  const base = (sample ?? {}) as Record<string, unknown>;
  const at = (what: string) => (path ? `${path}: ${what}` : what);
  const required = Object.keys(shapeOf).filter((k) => !shapeOf[k]!.safeParse(undefined).success);
  for (const k of required) {
    const { [k]: _dropped, ...rest } = base;
    out.push({ what: at(`${k} missing`), value: rest, kind: 'shape', check: 'assert' });
  }
  if (required.length > 1) out.push({ what: at('every field missing'), value: {}, kind: 'shape', check: 'assert' });
  for (const extra of ['zzz', 'accountId', 'actorUserId', 'isAdmin', 'constructor']) {
    if (extra in shapeOf) continue;
    out.push({ what: at(`unknown field ${extra}`), value: { ...base, [extra]: 1 }, kind: 'shape', check: 'assert' });
  }
  // An own "__proto__" key, as JSON.parse would make it.
  const poisoned = { ...base };
  Object.defineProperty(poisoned, '__proto__', {
    value: { isAdmin: true },
    enumerable: true,
    configurable: true,
    writable: true,
  });
  out.push({ what: at('an own __proto__ field'), value: poisoned, kind: 'shape', check: 'assert' });

  for (const [k, field] of Object.entries(shapeOf)) {
    if (!(k in base)) continue;
    for (const v of variants(field, base[k], path ? `${path}.${k}` : k, k))
      out.push({ ...v, value: { ...base, [k]: v.value } });
  }
  return out;
}

/** Well-formed inputs a handler must refuse: semantics the schema cannot see. */
function semanticCases(): Case[] {
  const u = tc.ids.users as Record<string, number>;
  const n = tc.ids.numbers;
  const g = tc.ids.groups;
  const c = (
    method: Method,
    what: string,
    input: unknown,
    codes: readonly ErrorCode[],
    kind: Kind = 'semantic',
  ): Case => ({
    method,
    what,
    input,
    kind,
    codes,
  });
  const shape = (method: Method, what: string, input: unknown) => c(method, what, input, SHAPE, 'shape');
  const settings = {
    instanceUrl: 'https://crm.example.com',
    logCalls: true,
    logMessages: false,
    createContacts: false,
  };
  return [
    // Numbers that do not exist, or belong to someone else.
    c('numbers.buy', 'a well-formed number that is not for sale', { e164: '+19995550100' }, ID),
    c('numbers.buy', 'a number the account already owns', { e164: '+12136472453' }, ID),
    c('numbers.buy', "another account's number", { e164: '+16175550100' }, ID),
    c('calls.authorizeOutbound', "calling from another account's number", { bnId: other.bnId, to: '+13105550100' }, ID),
    c(
      'messages.send',
      "texting from another account's number",
      { bnId: other.bnId, to: '+13105550100', body: 'hi' },
      ID,
    ),
    // Deleted and released rows read as unknown.
    c('groups.rename', 'a deleted group', { groupId: gone.groupId, name: 'Back' }, ID),
    c('groups.setMembers', 'a deleted group', { groupId: gone.groupId, memberIds: [u.john!] }, ID),
    c('groups.delete', 'a deleted group', { groupId: gone.groupId }, ID),
    c(
      'users.add',
      'joining a deleted group',
      {
        name: 'Nina',
        email: 'nina@teamline.demo',
        extension: '150',
        password: 'a-long-password',
        groupIds: [gone.groupId],
      },
      ID,
    ),
    c(
      'callFlows.create',
      'ringing a deleted group',
      { name: 'X', steps: [{ kind: 'ring_group', groupId: gone.groupId }] },
      ID,
    ),
    c('callFlows.get', 'a deleted call flow', { callFlowId: gone.flowId }, ID),
    c('callFlows.update', 'a deleted call flow', { callFlowId: gone.flowId, name: 'Back' }, ID),
    c('callFlows.delete', 'a deleted call flow', { callFlowId: gone.flowId }, ID),
    c('numbers.route', 'routing to a deleted call flow', { bnId: n.mainLA, callFlowId: gone.flowId }, ID),
    c('numbers.setLabel', 'a released number', { bnId: gone.bnId, label: 'Back' }, ID),
    c('numbers.route', 'a released number', { bnId: gone.bnId, callFlowId: null }, ID),
    c('numbers.release', 'a released number', { bnId: gone.bnId }, ID),
    c(
      'users.setOutboundNumbers',
      'a released number',
      { userId: u.peter!, outboundCallBnIds: [gone.bnId], smsBnIds: [] },
      ID,
    ),
    c(
      'users.setCallAccess',
      'a released number in scope',
      { userId: u.peter!, callAccess: 'numbers', scopeBnIds: [gone.bnId] },
      ID,
    ),
    c('messages.send', 'texting from a released number', { bnId: gone.bnId, to: '+13105550100', body: 'hi' }, ID),
    c('calls.authorizeOutbound', 'calling from a released number', { bnId: gone.bnId, to: '+13105550100' }, ID),
    // Well-formed but meaningless.
    c(
      'users.setCallAccess',
      '"Business numbers" access with no number',
      { userId: u.peter!, callAccess: 'numbers', scopeBnIds: [] },
      ['invalid', 'forbidden'],
    ),
    c(
      'users.setOutboundNumbers',
      'a default caller ID that is not an outbound number',
      { userId: u.peter!, outboundCallBnIds: [n.mainLA], smsBnIds: [], defaultBnId: n.mainNY },
      ['invalid', 'forbidden'],
    ),
    c(
      'users.setOutboundNumbers',
      "an Administrator's numbers",
      { userId: u.morgan!, outboundCallBnIds: [n.mainLA], smsBnIds: [] },
      ['invalid', 'forbidden'],
    ),
    c('users.setManagerPermissions', 'permissions for an Agent', { userId: u.john!, permissions: ['billing'] }, [
      'invalid',
      'forbidden',
      'conflict',
    ]),
    c('account.cancel', 'the wrong account name', { confirmName: 'Not the name' }, ['invalid', 'forbidden']),
    c('contacts.list', 'a cursor that is not one', { cursor: 'not a cursor!', limit: 10 }, SHAPE),
    c(
      'contacts.list',
      'a cursor with no id',
      { cursor: Buffer.from('Casey\u0000abc').toString('base64url'), limit: 10 },
      SHAPE,
    ),
    // Refinements the generic walk does not know.
    shape('billing.update', 'a lower-case country code', {
      contactName: 'Pat',
      contactEmail: 'pat@example.com',
      addressLine1: '1 Main',
      city: 'LA',
      postalCode: '1',
      country: 'us',
    }),
    shape('billing.update', 'a three-letter country code', {
      contactName: 'Pat',
      contactEmail: 'pat@example.com',
      addressLine1: '1 Main',
      city: 'LA',
      postalCode: '1',
      country: 'USA',
    }),
    ...['http://crm.example.com', 'javascript:alert(1)', 'ftp://crm.example.com', 'https://', 'crm.example.com'].map(
      (instanceUrl) =>
        shape('integrations.create', `an instance URL of ${instanceUrl}`, {
          provider: 'hubspot',
          name: 'CRM',
          settings: { ...settings, instanceUrl },
        }),
    ),
    shape('integrations.create', 'an unknown provider', { provider: 'myspace', name: 'CRM', settings }),
    shape('users.updateSettings', 'a time zone with a space', { userId: u.peter!, timezone: 'America/New York' }),
    shape('users.updateSettings', 'a time zone that is a path', { userId: u.peter!, timezone: '../../etc/passwd' }),
    shape('users.add', 'a short password', {
      name: 'Nina',
      email: 'nina@teamline.demo',
      extension: '150',
      password: 'short',
    }),
    shape('auth.changePassword', 'a short new password', { current: DEMO_PASSWORD, next: 'short' }),
    shape('callFlows.create', 'a menu key that is not a key', {
      name: 'X',
      steps: [{ kind: 'menu', text: 'Hi', branches: [{ key: 'x', steps: [] }] }],
    }),
    shape('callFlows.create', 'a menu with no branches', {
      name: 'X',
      steps: [{ kind: 'menu', text: 'Hi', branches: [] }],
    }),
    shape('callFlows.create', 'business hours on day 7', {
      name: 'X',
      steps: [{ kind: 'hours', timezone: 'UTC', open: [{ day: 7, from: '09:00', to: '17:00' }], branches: [] }],
    }),
    shape('callFlows.create', 'business hours at 25:00', {
      name: 'X',
      steps: [{ kind: 'hours', timezone: 'UTC', open: [{ day: 1, from: '25:00', to: '17:00' }], branches: [] }],
    }),
    shape('callFlows.create', 'ringing for 1 second', {
      name: 'X',
      steps: [{ kind: 'ring_group', groupId: g.sales, ringSeconds: 1 }],
    }),
    shape('callFlows.create', 'a step of an unknown kind', { name: 'X', steps: [{ kind: 'hangup_on_everyone' }] }),
    shape('callFlows.create', 'more than 30 steps', {
      name: 'X',
      steps: Array.from({ length: 31 }, () => ({ kind: 'greeting', text: 'Hi' })),
    }),
    shape('users.setManagerPermissions', 'an unknown permission', { userId: u.leo!, permissions: ['root'] }),
    // One more than there are Manager permissions.
    shape('users.setManagerPermissions', 'nine permissions', {
      userId: u.leo!,
      permissions: Array.from({ length: 9 }, () => 'billing'),
    }),
    shape('messages.send', 'an empty message', { bnId: n.mainLA, to: '+13105550100', body: '   ' }),
    shape('messages.send', 'a message of 1,601 characters', {
      bnId: n.mainLA,
      to: '+13105550100',
      body: 'x'.repeat(1601),
    }),
    shape('numbers.catalogue', 'letters in the search', { search: '213abc' }),
  ];
}

/** Inputs that are not objects at all. `null` and `undefined` are read as `{}` by the router. */
const notObjects = (sample: unknown): [string, unknown][] => [
  ['a number', 42],
  ['a string', 'hello'],
  ['true', true],
  ['an empty array', []],
  ['an array holding a valid input', [sample]],
  ['a bigint', 1n],
];

function casesFor(m: Method, all: Samples = samples()): Case[] {
  const list = (all[m] as Record<string, unknown>[]).map(clean);
  const out: Case[] = [];
  for (const [what, value] of notObjects(list[0]))
    out.push({ method: m, what: `input is ${what}`, input: value, kind: 'shape', codes: SHAPE });
  const seen = new Set<string>();
  list.forEach((sample, i) => {
    for (const v of objectVariants(contract[m].input, sample, '')) {
      const key = `${v.what}\u0000${stableKey(v.value)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (v.check === 'filter' && contract[m].input.safeParse(v.value).success) continue;
      out.push({
        method: m,
        what: list.length > 1 ? `[sample ${i + 1}] ${v.what}` : v.what,
        input: v.value,
        kind: v.kind,
        // Sign-in answers a wrong guess alike whatever account it names.
        codes: v.kind === 'shape' ? SHAPE : m === 'auth.signIn' ? [...ID, 'unauthenticated'] : ID,
        ...(v.idField ? { field: v.idField } : {}),
      });
    }
  });
  for (const c of semanticCases()) if (c.method === m) out.push(c);
  return out;
}

function stableKey(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) =>
      typeof x === 'bigint' ? `${x}n` : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x,
    ).slice(0, 500);
  } catch {
    return String(v);
  }
}

// ---------------------------------------------------------------------------

/** Checks one refusal; returns a description of what is wrong with it, or null. */
function problem(c: Case, who: string, r: ApiResult<unknown>): string | null {
  const label = `${who} ${c.method} (${c.what})`;
  if (r.ok) return `${label}: was accepted`;
  const { code, message, fields } = r.error;
  if (!c.codes.includes(code)) return `${label}: answered ${code} "${message}", expected ${c.codes.join('/')}`;
  if (typeof message !== 'string' || message.trim().length === 0) return `${label}: empty message`;
  if (message.length > 400) return `${label}: a ${message.length}-character message`;
  if (/SQLITE|SELECT |INSERT |UPDATE |DELETE FROM|sqlite_|\bat \S+ \(|\.ts:\d+|node_modules|Error:/.test(message))
    return `${label}: message leaks internals: ${message}`;
  if (message.includes('x'.repeat(50))) return `${label}: message echoes the input`;
  if (fields !== undefined) {
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v !== 'string' || v.length === 0 || k.length > 200)
        return `${label}: bad field error ${k}: ${String(v)}`;
    }
  }
  return null;
}

/** Rows inserted, updated or deleted through this connection so far (rolled-back ones included). */
const totalChanges = () => tc.db.prepare('SELECT total_changes()').pluck().get() as number;

describe('malformed input on every method of the contract', () => {
  it('has valid samples for every method, each field of each method in one of them', () => {
    const all = samples();
    for (const m of methods) {
      const list = all[m] as Record<string, unknown>[] | undefined;
      expect(list?.length, `${m} has no sample: add one to samples()`).toBeGreaterThan(0);
      for (const s of list!) {
        const parsed = contract[m].input.safeParse(clean(s));
        expect(parsed.success, `${m} sample: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
      }
      const shape = defOf(contract[m].input).shape ?? {};
      for (const key of Object.keys(shape)) {
        expect(
          list!.some((s) => clean(s)[key] !== undefined),
          `${m}.${key} is in no sample, so no case breaks it`,
        ).toBe(true);
      }
    }
  });

  it('derives cases for every method: shape cases break the schema, id and semantic cases pass it', () => {
    const all = samples();
    let total = 0;
    for (const m of methods) {
      const cases = casesFor(m, all);
      expect(cases.length, `${m} has too few malformed cases`).toBeGreaterThanOrEqual(5);
      for (const c of cases) {
        const local = contract[m].input.safeParse(c.input).success;
        if (c.kind === 'shape') expect(local, `${m} (${c.what}) should be refused by the schema`).toBe(false);
        else expect(local, `${m} (${c.what}) should be well-formed, to reach the handler`).toBe(true);
      }
      total += cases.length;
    }
    expect(total).toBeGreaterThan(1000);
  });

  it('covers bad E.164 and the id fields of every id-taking method', () => {
    const all = samples();
    const has = (m: Method, re: RegExp) => casesFor(m, all).some((c) => re.test(c.what));
    for (const m of [
      'numbers.buy',
      'contacts.create',
      'contacts.update',
      'calls.authorizeOutbound',
      'calls.suggestCallerId',
      'messages.send',
    ] as Method[]) {
      expect(has(m, /bad e164 \+0123/), `${m}: bad E.164`).toBe(true);
    }
    for (const m of ['users.add', 'users.duplicate', 'users.updateSettings'] as Method[]) {
      expect(has(m, /bad extension 1234567/), `${m}: bad extension`).toBe(true);
      expect(has(m, /bad email a@b@example/), `${m}: bad email`).toBe(true);
    }
    const idFields: [Method, string][] = [
      ['users.get', 'userId'],
      ['users.add', 'groupIds'],
      ['users.add', 'scopeBnIds'],
      ['users.add', 'outboundCallBnIds'],
      ['users.add', 'smsBnIds'],
      ['users.duplicate', 'sourceUserId'],
      ['users.deactivate', 'userId'],
      ['users.reactivate', 'userId'],
      ['users.updateSettings', 'userId'],
      ['users.setRole', 'userId'],
      ['users.setCallAccess', 'scopeBnIds'],
      ['users.setOutboundNumbers', 'defaultBnId'],
      ['users.setManagerPermissions', 'userId'],
      ['users.list', 'groupId'],
      ['groups.create', 'memberIds'],
      ['groups.rename', 'groupId'],
      ['groups.setMembers', 'memberIds'],
      ['groups.delete', 'groupId'],
      ['callFlows.get', 'callFlowId'],
      ['callFlows.create', 'groupId'],
      ['callFlows.create', 'userId'],
      ['callFlows.update', 'callFlowId'],
      ['callFlows.delete', 'callFlowId'],
      ['numbers.setLabel', 'bnId'],
      ['numbers.route', 'bnId'],
      ['numbers.route', 'callFlowId'],
      ['numbers.release', 'bnId'],
      ['numbers.setTrunk', 'bnId'],
      ['numbers.setTrunk', 'trunkId'],
      ['contacts.update', 'contactId'],
      ['contacts.delete', 'contactId'],
      ['integrations.update', 'integrationId'],
      ['integrations.delete', 'integrationId'],
      ['account.transferOwnership', 'userId'],
      ['auth.viewAs', 'userId'],
      ['audit.list', 'actorUserId'],
      ['calls.get', 'callId'],
      ['calls.authorizeOutbound', 'bnId'],
      ['voicemails.audio', 'voicemailId'],
      ['recordings.list', 'callId'],
      ['recordings.audio', 'recordingId'],
      ['recordings.delete', 'recordingId'],
      ['recordingSettings.setNumber', 'bnId'],
      ['recordingSettings.setFlow', 'callFlowId'],
      ['voicemails.markRead', 'voicemailId'],
      ['messages.list', 'threadId'],
      ['messages.markRead', 'threadId'],
      ['messages.why', 'threadId'],
      ['messages.send', 'bnId'],
      ['messages.threads', 'bnId'],
      ...(['calls.list', 'voicemails.list'] as Method[]).flatMap((m) =>
        ['bnId', 'groupId', 'callFlowId', 'userId'].map((f): [Method, string] => [m, f]),
      ),
    ];
    for (const [m, field] of idFields) {
      const cases = casesFor(m, all).filter((c) => c.kind === 'id' && c.field === field);
      expect(
        cases.some((c) => c.what.includes('unknown id')),
        `${m}.${field}: unknown id`,
      ).toBe(true);
      expect(
        cases.some((c) => c.what.includes('another account')),
        `${m}.${field}: another account's id`,
      ).toBe(true);
    }
  });

  it.each(methods.map((m) => [m]))('%s refuses every broken input, for every role, and changes nothing', async (m) => {
    const cases = casesFor(m);
    const problems: string[] = [];
    const runAll = async (who: string, client: () => Client) => {
      let before = snapshot(tc.db);
      for (const c of cases) {
        const writes = totalChanges();
        const r = await client().raw(m, c.input);
        const p = problem(c, who, r);
        if (p) problems.push(p);
        // A request that wrote no row at all changed nothing; one that wrote must have rolled back.
        if (totalChanges() !== writes) {
          const after = snapshot(tc.db);
          if (after !== before) problems.push(`${who} ${m} (${c.what}): changed the database`);
          before = after;
        }
      }
      if (snapshot(tc.db) !== before) problems.push(`${who} ${m}: the database changed`);
    };
    if (publicMethods.has(m)) await runAll('anonymous', () => tc.anonymous());
    for (const { who, client, userId } of clients) {
      await runAll(who, () => client);
      // Nothing changed in the session either: still signed in as the same user, not viewing as anyone.
      const me = await client.call('auth.me', {});
      if (!me.ok || me.value.user.id !== userId || me.value.viewedBy !== null)
        problems.push(`${who}: session changed by ${m}: ${JSON.stringify(me).slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('the pipeline itself', () => {
  it('refuses unknown method names, for anyone', async () => {
    const names: unknown[] = [
      'users.drop',
      '',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'users.list ',
      'USERS.LIST',
      'users',
      OVERSIZED,
      42,
      null,
    ];
    for (const client of [tc.anonymous(), clients[0]!.client, clients[2]!.client]) {
      for (const name of names) {
        const before = snapshot(tc.db);
        const r = await client.raw(name as string, {});
        expect(r, `method ${String(name).slice(0, 30)}`).toMatchObject({ ok: false, error: { code: 'invalid' } });
        if (!r.ok) expect(r.error.message.length).toBeLessThan(200);
        expect(snapshot(tc.db)).toBe(before);
      }
    }
  });

  it('answers every non-public method with unauthenticated when nobody is signed in', async () => {
    const all = samples();
    const anon = tc.anonymous();
    const signedOut = await tc.as('morgan');
    await signedOut.ok('auth.signOut', {});
    for (const m of methods.filter((x) => !publicMethods.has(x))) {
      for (const client of [anon, signedOut]) {
        const before = snapshot(tc.db);
        const r = await client.raw(m, clean(all[m][0] as Record<string, unknown>));
        expect(r, m).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
        expect(snapshot(tc.db), m).toBe(before);
      }
    }
  });

  it('refuses a wrong password or an unknown login alike, and locks sign-in after five failures', async () => {
    let clock = NOW;
    // A second core on the same database, with a clock the test moves.
    const core = createCoreWithDb(tc.db, { now: () => clock, validateOutput: true });
    const conn = core.connect(() => undefined);
    const signIn = (login: string, password: string) => conn.invoke('auth.signIn', { login, password });
    const before = snapshot(tc.db, { ignoreSignIns: true });

    const wrong = await signIn('john@teamline.demo', 'wrong-password');
    const unknown = await signIn('nobody@teamline.demo', 'wrong-password');
    expect(wrong).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    // The same answer, so a sign-in attempt does not reveal who has an account.
    expect(!wrong.ok && !unknown.ok && wrong.error.message === unknown.error.message).toBe(true);
    for (let i = 0; i < 4; i++) expect((await signIn('john@teamline.demo', `wrong-${i}`)).ok).toBe(false);

    // Five failures for John from this address: the sixth attempt is refused even with the right password.
    const locked = await signIn('john@teamline.demo', DEMO_PASSWORD);
    expect(locked.ok).toBe(false);
    if (!locked.ok) {
      expect(['forbidden', 'unauthenticated']).toContain(locked.error.code);
      expect(locked.error.message).toMatch(/attempt|wait|try again/i);
    }
    expect(await conn.invoke('auth.me', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    clock += 10_000;
    expect((await signIn('john@teamline.demo', DEMO_PASSWORD)).ok).toBe(false);

    // The lock passes with time.
    clock += 30_000;
    const after = await signIn('john@teamline.demo', DEMO_PASSWORD);
    expect(after.ok).toBe(true);
    expect(snapshot(tc.db, { ignoreSignIns: true })).toBe(before);
    conn.close();
  });

  it('reports how many cases ran', () => {
    const all = samples();
    const counts = methods.map((m) => [m, casesFor(m, all).length] as const);
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    const requests = counts.reduce((sum, [m, n]) => sum + n * (clients.length + (publicMethods.has(m) ? 1 : 0)), 0);
    const fewest = [...counts].sort((a, b) => a[1] - b[1])[0]!;
    console.log(
      `malformed: ${methods.length} methods, ${total} cases, ${requests} requests (fewest: ${fewest[0]} with ${fewest[1]})`,
    );
    expect(total).toBeGreaterThan(0);
  });
});
