import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Method } from '../../src/shared/api/contract';
import { managerPermissions, type ManagerPermission } from '../../src/shared/primitives';
import { permissionLabel, userPermissions } from '../../src/main/core/policy';
import { makeCore, NOW, snapshot, type Client, type TestCore } from '../helpers/core';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerRecording } from '../../src/main/core/recordings';
import { setDataDir } from '../../src/main/core/recordings/files';

/**
 * POLICY.md §2, the capability table, through the API: every row, for an
 * Agent (John), a Manager (Leo) with the row's permission flag on and off, and
 * an Administrator (Morgan). A refusal names its reason and changes nothing
 * (every row of every table digested before and after); an allowed action
 * takes effect and, when it touches access, leaves an audit event.
 */

let tc: TestCore;
beforeEach(() => {
  tc = makeCore();
});
afterEach(() => tc.close());

const uid = (key: string) => tc.ids.users[key]!;
const one = <T>(sql: string, ...params: unknown[]) =>
  tc.db
    .prepare(sql)
    .pluck()
    .get(...params) as T;
const lastAuditId = () => one<number>('SELECT coalesce(max(id), 0) FROM audit_events');
interface AuditRow {
  action: string;
  actorUserId: number | null;
  targetType: string;
  targetId: number | null;
}
const auditSince = (id: number) =>
  tc.db
    .prepare(
      `SELECT action, actor_user_id AS actorUserId, target_type AS targetType, target_id AS targetId
         FROM audit_events WHERE id > ? ORDER BY id`,
    )
    .all(id) as AuditRow[];

type Who = 'agent' | 'manager' | 'administrator';
const keyOf: Record<Who, string> = { agent: 'john', manager: 'leo', administrator: 'morgan' };

/** Rows every case may act on, made by the owner before the actor signs in. */
interface Fixture {
  contactId: number;
  integrationId: number;
  /** An empty group that no call flow rings. */
  spareGroupId: number;
  /** A call flow routed to no number. */
  spareFlowId: number;
  /** Omar, deactivated. */
  inactiveAgentId: number;
  /** Karey, made a Manager. */
  otherManagerId: number;
  /** A recording of a Sales call on the Main line, which John, Leo and Morgan all see. */
  recordingId: number;
  /** An allow-list trunk, holding no numbers. */
  trunkId: number;
}

async function prepare(): Promise<Fixture> {
  const morgan = await tc.as('morgan');
  const contact = await morgan.ok('contacts.create', { name: 'Acme Buyer', phone: '+13105550111', company: 'Acme' });
  const integration = await morgan.ok('integrations.create', {
    provider: 'hubspot',
    name: 'HubSpot',
    settings: { instanceUrl: 'https://crm.example.com' },
  });
  const group = await morgan.ok('groups.create', { name: 'Spare group' });
  const flow = await morgan.ok('callFlows.create', {
    name: 'Spare flow',
    steps: [{ kind: 'ring_group', groupId: tc.ids.groups.support, ringSeconds: 20 }],
  });
  await morgan.ok('users.deactivate', { userId: uid('omar') });
  await morgan.ok('users.setRole', { userId: uid('karey'), role: 'manager' });
  const trunk = await morgan.ok('carrier.saveTrunk', {
    name: 'Carrier',
    host: 'sip.carrier.example',
    port: 5060,
    transport: 'udp',
    registration: null,
    allowCidrs: ['203.0.113.0/24'],
  });
  morgan.close();
  const callId = tc.recordCall({
    accountId: tc.ids.accountId,
    direction: 'inbound',
    result: 'answered',
    bnId: tc.ids.numbers.mainLA,
    externalNumber: '+13105550123',
    startedAt: NOW - 60_000,
    answeredAt: NOW - 50_000,
    endedAt: NOW - 20_000,
    callFlowId: tc.ids.flows.main,
    groupId: tc.ids.groups.sales,
    participants: [{ userId: uid('peter'), role: 'answered' }],
    events: [],
    voicemail: null,
  });
  const dir = mkdtempSync(join(tmpdir(), 'teamline-capabilities-'));
  setDataDir(tc.db, dir);
  mkdirSync(join(dir, 'recordings'));
  writeFileSync(join(dir, 'recordings/call.wav'), Buffer.alloc(44));
  const recordingId = registerRecording(tc.db, {
    accountId: tc.ids.accountId,
    callId,
    path: 'recordings/call.wav',
    format: 'wav',
    durationMs: 0,
    sizeBytes: 44,
    startedAt: NOW - 50_000,
  });
  return {
    recordingId,
    trunkId: trunk.id,
    contactId: contact.id,
    integrationId: integration.id,
    spareGroupId: group.id,
    spareFlowId: flow.id,
    inactiveAgentId: uid('omar'),
    otherManagerId: uid('karey'),
  };
}

/** Signs in John, Morgan, or Leo after the owner has set Leo's permissions to exactly `flags`. */
async function signIn(who: Who, flags: readonly ManagerPermission[]): Promise<Client> {
  if (who === 'manager') {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setManagerPermissions', { userId: uid('leo'), permissions: [...flags] });
    morgan.close();
  }
  return tc.as(keyOf[who]);
}

interface Op {
  method: Method;
  input: (fx: Fixture) => unknown;
  /** Proof the allowed call took effect (a read checks what it returned). */
  effect: (value: unknown, fx: Fixture) => void;
  /** The audit action an allowed change writes; null for reads and contacts (not access-relevant). */
  audit: string | null;
  /** The audit target type, when it differs from the default of the row. */
  targetType?: string;
}

interface Row {
  /** The row of POLICY.md §2, in its own words. */
  capability: string;
  /** `+` always, `-` never, `M` with one of `flags`. */
  manager: '+' | '-' | 'M';
  agent: '+' | '-';
  /** For `M` rows: the permissions any one of which grants the row. */
  flags?: readonly ManagerPermission[];
  ops: Op[];
}

const rowOf = (sql: string, ...params: unknown[]) => tc.db.prepare(sql).get(...params) as Record<string, unknown>;

const table: Row[] = [
  {
    capability: 'create & manage call flows',
    agent: '-',
    manager: 'M',
    flags: ['callFlows'],
    ops: [
      {
        method: 'callFlows.create',
        input: () => ({
          name: 'Night line',
          steps: [{ kind: 'ring_group', groupId: tc.ids.groups.support, ringSeconds: 20 }],
        }),
        effect: () =>
          expect(one(`SELECT count(*) FROM call_flows WHERE name = 'Night line' AND deleted_at IS NULL`)).toBe(1),
        audit: 'callFlow.create',
        targetType: 'callFlow',
      },
      {
        method: 'callFlows.update',
        input: () => ({ callFlowId: tc.ids.flows.main, name: 'Main line (new)' }),
        effect: () =>
          expect(one('SELECT name FROM call_flows WHERE id = ?', tc.ids.flows.main)).toBe('Main line (new)'),
        audit: 'callFlow.update',
        targetType: 'callFlow',
      },
      {
        method: 'callFlows.delete',
        input: (fx) => ({ callFlowId: fx.spareFlowId }),
        effect: (_v, fx) =>
          expect(one('SELECT deleted_at FROM call_flows WHERE id = ?', fx.spareFlowId)).not.toBeNull(),
        audit: 'callFlow.delete',
        targetType: 'callFlow',
      },
    ],
  },
  {
    capability: 'manage contacts',
    agent: '+',
    manager: '+',
    ops: [
      {
        method: 'contacts.create',
        input: () => ({ name: 'New Client', phone: '+13105550199' }),
        effect: () => expect(one(`SELECT count(*) FROM contacts WHERE name = 'New Client'`)).toBe(1),
        audit: null,
      },
      {
        method: 'contacts.update',
        input: (fx) => ({ contactId: fx.contactId, company: 'Acme West' }),
        effect: (_v, fx) => expect(one('SELECT company FROM contacts WHERE id = ?', fx.contactId)).toBe('Acme West'),
        audit: null,
      },
      {
        method: 'contacts.delete',
        input: (fx) => ({ contactId: fx.contactId }),
        effect: (_v, fx) => expect(one('SELECT count(*) FROM contacts WHERE id = ?', fx.contactId)).toBe(0),
        audit: null,
      },
    ],
  },
  {
    capability: 'buy, manage & delete BNs',
    agent: '-',
    manager: 'M',
    flags: ['numbers'],
    ops: [
      {
        method: 'numbers.buy',
        input: () => ({
          e164: one<string>('SELECT e164 FROM number_catalogue ORDER BY e164 LIMIT 1'),
          label: 'New line',
        }),
        effect: () =>
          expect(one(`SELECT count(*) FROM business_numbers WHERE label = 'New line' AND released_at IS NULL`)).toBe(1),
        audit: 'number.buy',
        targetType: 'number',
      },
      {
        // Both Main line numbers are visible to John and Leo: the refusal is about the capability.
        method: 'numbers.setLabel',
        input: () => ({ bnId: tc.ids.numbers.mainLA, label: 'LA front desk' }),
        effect: () =>
          expect(one('SELECT label FROM business_numbers WHERE id = ?', tc.ids.numbers.mainLA)).toBe('LA front desk'),
        audit: 'number.label',
        targetType: 'number',
      },
      {
        method: 'numbers.route',
        input: () => ({ bnId: tc.ids.numbers.mainLA, callFlowId: tc.ids.flows.billing }),
        effect: () =>
          expect(one('SELECT call_flow_id FROM business_numbers WHERE id = ?', tc.ids.numbers.mainLA)).toBe(
            tc.ids.flows.billing,
          ),
        audit: 'number.route',
        targetType: 'number',
      },
      {
        method: 'numbers.release',
        input: () => ({ bnId: tc.ids.numbers.mainNY }),
        effect: () =>
          expect(one('SELECT released_at FROM business_numbers WHERE id = ?', tc.ids.numbers.mainNY)).not.toBeNull(),
        audit: 'number.release',
        targetType: 'number',
      },
      {
        method: 'numbers.catalogue',
        input: () => ({}),
        effect: (v) => expect((v as unknown[]).length).toBeGreaterThan(0),
        audit: null,
      },
    ],
  },
  {
    capability: 'set up & delete CRM integrations',
    agent: '-',
    manager: '+',
    ops: [
      {
        method: 'integrations.create',
        input: () => ({
          provider: 'salesforce',
          name: 'Salesforce',
          settings: { instanceUrl: 'https://sf.example.com' },
        }),
        effect: () => expect(one(`SELECT count(*) FROM integrations WHERE name = 'Salesforce'`)).toBe(1),
        audit: 'integration.create',
        targetType: 'integration',
      },
      {
        method: 'integrations.update',
        input: (fx) => ({ integrationId: fx.integrationId, name: 'HubSpot (EU)' }),
        effect: (_v, fx) =>
          expect(one('SELECT name FROM integrations WHERE id = ?', fx.integrationId)).toBe('HubSpot (EU)'),
        audit: 'integration.update',
        targetType: 'integration',
      },
      {
        method: 'integrations.delete',
        input: (fx) => ({ integrationId: fx.integrationId }),
        effect: (_v, fx) => expect(one('SELECT count(*) FROM integrations WHERE id = ?', fx.integrationId)).toBe(0),
        audit: 'integration.delete',
        targetType: 'integration',
      },
      {
        method: 'integrations.list',
        input: () => ({}),
        effect: (v, fx) => expect((v as { id: number }[]).map((i) => i.id)).toContain(fx.integrationId),
        audit: null,
      },
    ],
  },
  {
    capability: 'manage billing information',
    agent: '-',
    manager: 'M',
    flags: ['billing'],
    ops: [
      {
        method: 'billing.update',
        input: () => ({
          contactName: 'Pat Payer',
          contactEmail: 'pay@example.com',
          addressLine1: '1 Main St',
          city: 'Los Angeles',
          postalCode: '90001',
          country: 'US',
        }),
        effect: () =>
          expect(one('SELECT contact_name FROM billing_profiles WHERE account_id = ?', tc.ids.accountId)).toBe(
            'Pat Payer',
          ),
        audit: 'billing.update',
        targetType: 'billing',
      },
      {
        method: 'billing.get',
        input: () => ({}),
        effect: (v) => expect(v).toMatchObject({ contactName: 'Morgan Reyes', plan: 'company' }),
        audit: null,
      },
    ],
  },
  {
    capability: 'create, edit & delete user groups',
    agent: '-',
    manager: 'M',
    flags: ['groups'],
    ops: [
      {
        method: 'groups.create',
        input: () => ({ name: 'Night shift', memberIds: [uid('allie')] }),
        effect: () =>
          expect(one(`SELECT count(*) FROM user_groups WHERE name = 'Night shift' AND deleted_at IS NULL`)).toBe(1),
        audit: 'group.create',
        targetType: 'group',
      },
      {
        method: 'groups.rename',
        input: () => ({ groupId: tc.ids.groups.sales, name: 'Sales team' }),
        effect: () => expect(one('SELECT name FROM user_groups WHERE id = ?', tc.ids.groups.sales)).toBe('Sales team'),
        audit: 'group.rename',
        targetType: 'group',
      },
      {
        // Support is rung by the Main line only, inside Leo's numbers; Peter is an Agent.
        method: 'groups.setMembers',
        input: () => ({ groupId: tc.ids.groups.support, memberIds: [uid('jessica'), uid('allie'), uid('peter')] }),
        effect: () =>
          expect(
            one(
              'SELECT count(*) FROM group_members WHERE group_id = ? AND user_id = ?',
              tc.ids.groups.support,
              uid('peter'),
            ),
          ).toBe(1),
        audit: 'group.members',
        targetType: 'group',
      },
      {
        method: 'groups.delete',
        input: (fx) => ({ groupId: fx.spareGroupId }),
        effect: (_v, fx) =>
          expect(one('SELECT deleted_at FROM user_groups WHERE id = ?', fx.spareGroupId)).not.toBeNull(),
        audit: 'group.delete',
        targetType: 'group',
      },
    ],
  },
  {
    capability: 'add new users',
    agent: '-',
    manager: 'M',
    flags: ['addUsers'],
    ops: [
      {
        method: 'users.add',
        input: () => ({ name: 'Nina New', email: 'nina@teamline.demo', extension: '120', password: 'a-long-password' }),
        effect: () =>
          expect(rowOf(`SELECT role, call_access, active FROM users WHERE extension = '120'`)).toEqual({
            role: 'agent',
            call_access: 'group',
            active: 1,
          }),
        audit: 'user.add',
        targetType: 'user',
      },
    ],
  },
  {
    capability: "manage other users' settings",
    agent: '-',
    manager: 'M',
    flags: ['userSettings'],
    ops: [
      {
        method: 'users.updateSettings',
        input: () => ({ userId: uid('allie'), title: 'Support lead', extension: '114' }),
        effect: () =>
          expect(rowOf('SELECT title, extension FROM users WHERE id = ?', uid('allie'))).toEqual({
            title: 'Support lead',
            extension: '114',
          }),
        audit: 'user.settings',
        targetType: 'user',
      },
      {
        method: 'users.deactivate',
        input: () => ({ userId: uid('allie') }),
        effect: () => expect(one('SELECT active FROM users WHERE id = ?', uid('allie'))).toBe(0),
        audit: 'user.deactivate',
        targetType: 'user',
      },
      {
        method: 'users.reactivate',
        input: (fx) => ({ userId: fx.inactiveAgentId }),
        effect: (_v, fx) => expect(one('SELECT active FROM users WHERE id = ?', fx.inactiveAgentId)).toBe(1),
        audit: 'user.reactivate',
        targetType: 'user',
      },
    ],
  },
  {
    capability: "manage other users' access to calls, messages & BNs",
    agent: '-',
    manager: 'M',
    flags: ['userAccess'],
    ops: [
      {
        method: 'users.setCallAccess',
        input: () => ({ userId: uid('allie'), callAccess: 'personal' }),
        effect: () => expect(one('SELECT call_access FROM users WHERE id = ?', uid('allie'))).toBe('personal'),
        audit: 'user.callAccess',
        targetType: 'user',
      },
      {
        method: 'users.setOutboundNumbers',
        input: () => ({
          userId: uid('allie'),
          outboundCallBnIds: [tc.ids.numbers.mainLA],
          smsBnIds: [tc.ids.numbers.mainNY, tc.ids.numbers.mainLA],
        }),
        effect: () => {
          const sets = tc.db
            .prepare('SELECT kind, bn_id AS bnId FROM user_numbers WHERE user_id = ? ORDER BY kind, bn_id')
            .all(uid('allie'));
          const { mainLA, mainNY } = tc.ids.numbers;
          expect(sets).toEqual([
            { kind: 'call', bnId: mainLA },
            ...[mainLA, mainNY].sort((a, b) => a - b).map((bnId) => ({ kind: 'sms', bnId })),
          ]);
        },
        audit: 'user.outboundNumbers',
        targetType: 'user',
      },
    ],
  },
  {
    capability: 'change user roles (and Manager permissions, and the plan, which changes roles)',
    agent: '-',
    manager: '-',
    ops: [
      {
        method: 'users.setRole',
        input: () => ({ userId: uid('allie'), role: 'manager' }),
        effect: () =>
          expect(rowOf('SELECT role, call_access FROM users WHERE id = ?', uid('allie'))).toEqual({
            role: 'manager',
            call_access: 'numbers',
          }),
        audit: 'user.role',
        targetType: 'user',
      },
      {
        method: 'users.setManagerPermissions',
        input: (fx) => ({ userId: fx.otherManagerId, permissions: ['billing'] }),
        effect: (_v, fx) =>
          expect(
            tc.db
              .prepare('SELECT permission FROM manager_permissions WHERE user_id = ?')
              .pluck()
              .all(fx.otherManagerId),
          ).toEqual(['billing']),
        audit: 'user.managerPermissions',
        targetType: 'user',
      },
      {
        method: 'billing.changePlan',
        input: () => ({ plan: 'business' }),
        effect: () => expect(one('SELECT plan FROM accounts WHERE id = ?', tc.ids.accountId)).toBe('business'),
        audit: 'billing.plan',
        targetType: 'billing',
      },
      {
        method: 'billing.previewPlanChange',
        input: () => ({ plan: 'business' }),
        effect: (v) => expect(v).toMatchObject({ plan: 'business', blockers: [] }),
        audit: null,
      },
    ],
  },
  {
    capability: 'cancel the account',
    agent: '-',
    manager: '-',
    ops: [
      {
        method: 'account.cancel',
        input: () => ({ confirmName: 'Teamline Demo' }),
        effect: () =>
          expect(rowOf('SELECT status, cancelled_at FROM accounts WHERE id = ?', tc.ids.accountId)).toMatchObject({
            status: 'cancelled',
            cancelled_at: expect.any(Number),
          }),
        audit: 'account.cancel',
        targetType: 'account',
      },
    ],
  },
  {
    capability: 'read the audit log',
    agent: '-',
    manager: 'M',
    // "M (with any of the user permissions)"
    flags: userPermissions,
    ops: [
      {
        method: 'audit.list',
        input: () => ({}),
        effect: (v) => expect((v as { items: unknown[] }).items.length).toBeGreaterThan(0),
        audit: null,
      },
    ],
  },
  // Rows the product adds (docs/policy-decisions.md, "Call recordings").
  {
    capability: 'download call recordings',
    agent: '-',
    manager: '+',
    ops: [
      {
        method: 'recordings.audio',
        input: (fx) => ({ recordingId: fx.recordingId, purpose: 'download', offset: 0 }),
        effect: (v) => expect((v as { totalBytes: number }).totalBytes).toBe(44),
        audit: 'recording.download',
        targetType: 'call',
      },
    ],
  },
  {
    capability: 'delete call recordings',
    agent: '-',
    manager: 'M',
    flags: ['deleteRecordings'],
    ops: [
      {
        method: 'recordings.delete',
        input: (fx) => ({ recordingId: fx.recordingId }),
        effect: (_v, fx) => expect(one('SELECT count(*) FROM recordings WHERE id = ?', fx.recordingId)).toBe(0),
        audit: 'recording.delete',
        targetType: 'call',
      },
    ],
  },
  // The carrier's trunks are the Administrators' (docs/policy-decisions.md); so is which trunk a number is on.
  {
    capability: 'connect the carrier (SIP trunks)',
    agent: '-',
    manager: '-',
    ops: [
      {
        // The Main line numbers are visible to John and Leo: the refusal is about the capability.
        method: 'numbers.setTrunk',
        input: (fx) => ({ bnId: tc.ids.numbers.mainLA, trunkId: fx.trunkId }),
        effect: (_v, fx) =>
          expect(one('SELECT trunk_id FROM business_numbers WHERE id = ?', tc.ids.numbers.mainLA)).toBe(fx.trunkId),
        audit: 'number.trunk',
        targetType: 'number',
      },
    ],
  },
  {
    capability: 'set recording retention and internal-call recording',
    agent: '-',
    manager: '-',
    ops: [
      {
        method: 'recordingSettings.update',
        input: () => ({ retentionDays: 30, internalMode: 'always' }),
        effect: () =>
          expect(rowOf('SELECT recording_retention_days AS d FROM accounts WHERE id = ?', tc.ids.accountId)).toEqual({
            d: 30,
          }),
        audit: 'account.recordingSettings',
        targetType: 'account',
      },
    ],
  },
];

interface Case {
  capability: string;
  op: Op;
  who: Who;
  flags: readonly ManagerPermission[];
  allowed: boolean;
  /** What the refusal must say. */
  reason: RegExp;
  title: string;
}

const agentReason = /^(Agents cannot|Only an Administrator can|Reading the audit log needs)/;
const adminOnlyReason = /^Only an Administrator can/;

/** Every op of every row for an Agent, an Administrator and the Managers the row calls for. */
function cases(): Case[] {
  const out: Case[] = [];
  for (const row of table) {
    for (const op of row.ops) {
      const add = (who: Who, flags: readonly ManagerPermission[], allowed: boolean, reason: RegExp) => {
        const flagText = who === 'manager' ? ` with [${flags.join(', ')}]` : '';
        out.push({
          capability: row.capability,
          op,
          who,
          flags,
          allowed,
          reason,
          title: `${row.capability} · ${op.method} · ${who}${flagText} → ${allowed ? 'allowed' : 'refused'}`,
        });
      };
      add('agent', [], row.agent === '+', agentReason);
      add('administrator', [], true, /./);
      if (row.manager === 'M') {
        const flags = row.flags!;
        for (const f of flags) add('manager', [f], true, /./);
        const others = managerPermissions.filter((p) => !flags.includes(p));
        const reason =
          row.capability === 'read the audit log'
            ? /audit log needs .*Manager with a user permission/
            : new RegExp(`needs? the Manager permission "${permissionLabel[flags[0]!]}"`);
        add('manager', others, false, reason);
      } else if (row.manager === '+') {
        add('manager', [], true, /./);
        add('manager', managerPermissions, true, /./);
      } else {
        add('manager', managerPermissions, false, adminOnlyReason);
      }
    }
  }
  return out;
}

describe('POLICY.md §2: every capability row × role × manager flag', () => {
  it.each(cases().map((c) => [c.title, c] as const))('%s', async (_title, { op, who, flags, allowed, reason }) => {
    const fx = await prepare();
    const client = await signIn(who, flags);
    const actorId = uid(keyOf[who]);
    const before = snapshot(tc.db);
    const auditMark = lastAuditId();

    const r = await client.raw(op.method, op.input(fx));

    if (allowed) {
      expect(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`).toBe(true);
      if (r.ok) op.effect(r.value, fx);
      const events = auditSince(auditMark);
      if (op.audit) {
        expect(events).toContainEqual(
          expect.objectContaining({ action: op.audit, actorUserId: actorId, targetType: op.targetType }),
        );
      } else {
        // Reads and contact edits write no audit event.
        expect(events).toEqual([]);
      }
      if (op.audit === null && /\.(list|get|catalogue|previewPlanChange)$/.test(op.method)) {
        expect(snapshot(tc.db), 'a read changes nothing').toBe(before);
      }
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('forbidden');
        expect(r.error.message).toMatch(reason);
        expect(r.error.message.length).toBeGreaterThan(15);
      }
      expect(snapshot(tc.db), 'a refusal changes nothing').toBe(before);
    }
    client.close();
  });

  it('the capability summary each role receives mirrors the table', async () => {
    const expected = {
      agent: {
        'contacts.manage': true,
        'callFlows.manage': false,
        'integrations.manage': false,
        'users.role': false,
        'audit.read': false,
      },
      manager: {
        'contacts.manage': true,
        'callFlows.manage': true,
        'numbers.manage': false,
        'billing.manage': false,
        'groups.manage': false,
        'integrations.manage': true,
        'users.add': true,
        'users.settings': true,
        'users.access': true,
        'users.role': false,
        'account.cancel': false,
        'audit.read': true,
      },
      administrator: {
        'contacts.manage': true,
        'callFlows.manage': true,
        'numbers.manage': true,
        'billing.manage': true,
        'groups.manage': true,
        'users.role': true,
        'account.cancel': true,
        'account.transferOwnership': true,
        'audit.read': true,
      },
    } as const;
    for (const who of ['agent', 'manager', 'administrator'] as const) {
      const me = await (await tc.as(keyOf[who])).ok('auth.me', {});
      expect(me.capabilities, who).toMatchObject(expected[who]);
    }
  });

  it('a new Manager gets the standard permissions, and no others', async () => {
    const morgan = await tc.as('morgan');
    const allie = await morgan.ok('users.setRole', { userId: uid('allie'), role: 'manager' });
    expect([...allie.access!.managerPermissions].sort()).toEqual([
      'addUsers',
      'callFlows',
      'userAccess',
      'userSettings',
    ]);
    const added = await morgan.ok('users.add', {
      name: 'Max Manager',
      email: 'max@teamline.demo',
      extension: '121',
      password: 'a-long-password',
      role: 'manager',
      scopeBnIds: [tc.ids.numbers.mainLA],
    });
    expect([...added.access!.managerPermissions].sort()).toEqual([
      'addUsers',
      'callFlows',
      'userAccess',
      'userSettings',
    ]);
  });

  it('Manager permissions are set by an Administrator on Managers only', async () => {
    const morgan = await tc.as('morgan');
    const before = snapshot(tc.db);
    const r = await morgan.call('users.setManagerPermissions', { userId: uid('john'), permissions: ['billing'] });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/Managers only/) },
    });
    expect(snapshot(tc.db)).toBe(before);
  });

  it('duplicating a user needs both "Add users" and "User access"', async () => {
    // Karey is in no group, so no group permission is involved.
    const input = {
      sourceUserId: uid('karey'),
      name: 'Kim Copy',
      email: 'kim@teamline.demo',
      extension: '122',
      password: 'a-long-password',
    };
    for (const flags of [['addUsers'], ['userAccess']] as ManagerPermission[][]) {
      const leo = await signIn('manager', flags);
      const before = snapshot(tc.db);
      const r = await leo.call('users.duplicate', input);
      expect(r, flags.join()).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringMatching(/Manager permission/) },
      });
      expect(snapshot(tc.db)).toBe(before);
    }
    const leo = await signIn('manager', ['addUsers', 'userAccess']);
    const mark = lastAuditId();
    const copy = await leo.ok('users.duplicate', input);
    expect(copy.access?.callAccess).toBe('callflow');
    expect([...copy.access!.outboundCallBnIds].sort()).toEqual([tc.ids.numbers.mainLA, tc.ids.numbers.mainNY].sort());
    expect(auditSince(mark)).toContainEqual(
      expect.objectContaining({ action: 'user.duplicate', actorUserId: uid('leo'), targetId: copy.id }),
    );
  });
});

/**
 * "A" rows (add users, other users' settings, other users' access): a Manager
 * acts on Agents only — never another Manager, an Administrator (owner or
 * not), or their own role, permissions or access (invariant 2).
 */
describe('"A": a Manager acts on Agents only', () => {
  type Target = 'agent' | 'manager' | 'administrator' | 'owner' | 'self';
  const targets: Target[] = ['agent', 'manager', 'administrator', 'owner', 'self'];

  /** Allie (Agent), Karey (made a Manager), Jessica (made an Administrator), Morgan (owner), Leo himself. */
  async function targetsPrepared(): Promise<Record<Target, number>> {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setRole', { userId: uid('karey'), role: 'manager' });
    await morgan.ok('users.setRole', { userId: uid('jessica'), role: 'administrator' });
    morgan.close();
    return {
      agent: uid('allie'),
      manager: uid('karey'),
      administrator: uid('jessica'),
      owner: uid('morgan'),
      self: uid('leo'),
    };
  }

  interface AOp {
    what: string;
    method: Method;
    input: (userId: number, target: Target) => unknown;
    /** Targets on which a Manager holding every permission is allowed. */
    allowedOn: readonly Target[];
    audit: string;
  }

  const ops: AOp[] = [
    {
      what: 'profile settings',
      method: 'users.updateSettings',
      input: (userId) => ({ userId, title: 'Renamed title' }),
      // Everyone edits their own name, title, time zone (docs/policy-decisions.md).
      allowedOn: ['agent', 'self'],
      audit: 'user.settings',
    },
    {
      what: 'identity settings (extension)',
      method: 'users.updateSettings',
      input: (userId) => ({ userId, extension: '190' }),
      // Leo holds "User settings", which lets a Manager change their own extension too.
      allowedOn: ['agent', 'self'],
      audit: 'user.settings',
    },
    {
      what: 'deactivation',
      method: 'users.deactivate',
      input: (userId) => ({ userId }),
      allowedOn: ['agent'],
      audit: 'user.deactivate',
    },
    {
      what: 'call access',
      method: 'users.setCallAccess',
      // A level the target's role may hold, so the refusal is about who acts on whom.
      input: (userId, t) =>
        t === 'agent'
          ? { userId, callAccess: 'personal' }
          : t === 'manager' || t === 'self'
            ? { userId, callAccess: 'numbers', scopeBnIds: [tc.ids.numbers.mainLA] }
            : { userId, callAccess: 'all' },
      allowedOn: ['agent'],
      audit: 'user.callAccess',
    },
    {
      what: 'outbound numbers',
      method: 'users.setOutboundNumbers',
      input: (userId) => ({ userId, outboundCallBnIds: [tc.ids.numbers.mainLA], smsBnIds: [tc.ids.numbers.mainLA] }),
      allowedOn: ['agent'],
      audit: 'user.outboundNumbers',
    },
    {
      what: 'role',
      method: 'users.setRole',
      input: (userId, t) => ({ userId, role: t === 'agent' ? 'manager' : 'agent' }),
      allowedOn: [],
      audit: 'user.role',
    },
    {
      what: 'Manager permissions',
      method: 'users.setManagerPermissions',
      input: (userId) => ({ userId, permissions: [...managerPermissions] }),
      allowedOn: [],
      audit: 'user.managerPermissions',
    },
    {
      what: 'copying them as a new user',
      method: 'users.duplicate',
      input: (sourceUserId) => ({
        sourceUserId,
        name: 'Copy Cat',
        email: 'copy@teamline.demo',
        extension: '123',
        password: 'a-long-password',
      }),
      allowedOn: ['agent'],
      audit: 'user.duplicate',
    },
  ];

  const aCases = ops.flatMap((op) =>
    targets.map((target) => {
      const allowed = op.allowedOn.includes(target);
      const whom = target === 'self' ? 'himself' : `the ${target}`;
      return [
        `a Manager with every permission: ${op.what} of ${whom} → ${allowed ? 'allowed' : 'refused'}`,
        { ...op, target, allowed },
      ] as const;
    }),
  );

  it.each(aCases)('%s', async (_title, { method, input, target, allowed, audit }) => {
    const ids = await targetsPrepared();
    const leo = await signIn('manager', managerPermissions);
    const before = snapshot(tc.db);
    const mark = lastAuditId();
    const r = await leo.raw(method, input(ids[target], target));
    if (allowed) {
      expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
      const targetId = method === 'users.duplicate' ? (r.ok ? (r.value as { id: number }).id : -1) : ids[target];
      expect(auditSince(mark)).toContainEqual(
        expect.objectContaining({ action: audit, actorUserId: uid('leo'), targetType: 'user', targetId }),
      );
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('forbidden');
        const why =
          method === 'users.setRole' || method === 'users.setManagerPermissions'
            ? /^Only an Administrator can/
            : target === 'self'
              ? /own role, permissions or access|cannot deactivate yourself/
              : /Agents only/;
        expect(r.error.message).toMatch(why);
      }
      expect(snapshot(tc.db)).toBe(before);
    }
  });

  it('a Manager without "User settings" may edit their own profile, but not their own extension or email', async () => {
    const leo = await signIn('manager', ['userAccess']);
    await leo.ok('users.updateSettings', {
      userId: uid('leo'),
      title: 'Head of Success',
      timezone: 'America/New_York',
    });
    for (const patch of [{ extension: '195' }, { email: 'leo.martin@teamline.demo' }]) {
      const before = snapshot(tc.db);
      const r = await leo.call('users.updateSettings', { userId: uid('leo'), ...patch });
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringMatching(/Manager permission "User settings"/) },
      });
      expect(snapshot(tc.db)).toBe(before);
    }
  });

  it('a Manager adds Agents only', async () => {
    const leo = await signIn('manager', managerPermissions);
    for (const role of ['manager', 'administrator'] as const) {
      const before = snapshot(tc.db);
      // A complete, valid request: only the role is wrong for a Manager to give.
      const scope = role === 'manager' ? { scopeBnIds: [tc.ids.numbers.mainLA] } : {};
      const r = await leo.call('users.add', {
        name: 'Max',
        email: 'max@teamline.demo',
        extension: '124',
        password: 'a-long-password',
        role,
        ...scope,
      });
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Managers can add Agents only.' } });
      expect(snapshot(tc.db)).toBe(before);
    }
    const agent = await leo.ok('users.add', {
      name: 'Max',
      email: 'max@teamline.demo',
      extension: '124',
      password: 'a-long-password',
      role: 'agent',
    });
    expect(agent.role).toBe('agent');
  });

  it('a Manager with "User groups" adds and removes Agents only', async () => {
    const ids = await targetsPrepared();
    const leo = await signIn('manager', ['groups']);
    const support = [uid('jessica'), uid('allie')];
    // Jessica is an Administrator now: removing her is acting on her.
    for (const memberIds of [
      [...support, ids.manager],
      [...support, ids.owner],
      [...support, ids.self],
      [uid('allie')],
    ]) {
      const before = snapshot(tc.db);
      const r = await leo.call('groups.setMembers', { groupId: tc.ids.groups.support, memberIds });
      expect(r, JSON.stringify(memberIds)).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringMatching(/groups of Agents only/) },
      });
      expect(snapshot(tc.db)).toBe(before);
    }
    const mark = lastAuditId();
    await leo.ok('groups.setMembers', { groupId: tc.ids.groups.support, memberIds: [...support, uid('peter')] });
    expect(auditSince(mark)).toContainEqual(
      expect.objectContaining({ action: 'group.members', actorUserId: uid('leo'), targetId: tc.ids.groups.support }),
    );
  });
});
