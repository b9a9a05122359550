import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { startDecisionService, type DecisionService } from '../../src/main/sip/decisions';
import { issueCredentials } from '../../src/main/sip/credentials';
import type { ApiResult } from '../../src/shared/result';
import { makeCore, NOW, type TestCore } from '../helpers/core';

/**
 * Availability (docs/softphone.md): a member sets their own, from the phone;
 * Do not disturb keeps their phone from ringing: a group call rings the
 * group's others, a direct call goes to their voicemail. Through the API
 * (zod, the actor's own user only) and the phone service's decisions, as
 * the proxy asks for them.
 */

const open: { t: TestCore; sip: DecisionService; core: ReturnType<typeof createCoreWithDb> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.sip.close();
    o.core.close();
    o.t.close();
  }
});

async function setup() {
  const t = makeCore();
  const secret = randomBytes(32);
  const sip = await startDecisionService({
    db: t.db,
    accountId: t.ids.accountId,
    domain: 'teamline.test',
    secret,
    recordCall: () => {},
    now: () => NOW,
    mediaRunning: () => true,
  });
  const config = {
    accountId: t.ids.accountId,
    domain: 'teamline.test',
    wsUrl: 'ws://127.0.0.1:1',
    secret,
    credentialTtlSeconds: 3600,
  };
  const core = createCoreWithDb(t.db, { now: () => NOW, validateOutput: true });
  core.setPhone({ sip: config, problem: null, presence: sip.presence });
  open.push({ t, sip, core });
  // Everyone's phone is registered.
  for (const ext of ['100', '101', '102', '103', '104', '105', '106', '107', '108', '109'])
    sip.presence.registered(ext, `sip:${ext}@127.0.0.1:5070`, 'ws:127.0.0.1:40000', 600);

  const as = async (key: string) => {
    const conn = core.connect(() => {});
    const call = (method: string, input: unknown) =>
      conn.invoke(method as never, input as never) as Promise<ApiResult<unknown>>;
    const r = await call('auth.signIn', { login: `${key}@teamline.demo`, password: DEMO_PASSWORD });
    expect(r.ok).toBe(true);
    return call;
  };
  const ask = (path: string, body: Record<string, string>) =>
    fetch(sip.url + path, {
      method: 'POST',
      headers: { 'x-teamline-token': sip.token, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    }).then((r) => r.text());
  /** An internal call from one extension to another, as the proxy asks for it. */
  const dial = (from: { userId: number; extension: string }, to: string) =>
    ask('/sip/outbound', {
      au: issueCredentials(config, { accountId: t.ids.accountId, ...from }, NOW).authorizationUsername,
      to,
    });
  const directory = async (key: string) =>
    (await (
      await as(key)
    )('sip.directory', {})) as ApiResult<{ members: { extension: string; presence: string }[] }>;
  return { t, sip, as, dial, directory };
}

describe('availability', () => {
  it('is set by each member for themselves only, parsed strictly, and shown to the team', async () => {
    const { t, sip, as, directory } = await setup();
    const john = await as('john');
    expect(await john('sip.setAvailability', { availability: 'dnd' })).toEqual({
      ok: true,
      value: { availability: 'dnd' },
    });
    expect(sip.presence.doNotDisturb(t.ids.users.john!)).toBe(true);

    // There is no user in the input: naming someone else is refused, as is a made-up state; nothing changes.
    const peter = t.ids.users.peter!;
    expect((await john('sip.setAvailability', { availability: 'dnd', userId: peter })).ok).toBe(false);
    expect((await john('sip.setAvailability', { availability: 'sleeping' })).ok).toBe(false);
    expect(sip.presence.availabilityOf(peter)).toBe('available');
    expect(sip.presence.availabilityOf(t.ids.users.john!)).toBe('dnd');

    expect((await (await as('allie'))('sip.setAvailability', { availability: 'away' })).ok).toBe(true);
    // An Administrator (and every teammate, for transfers) sees it.
    for (const key of ['morgan', 'jessica']) {
      const r = await directory(key);
      if (!r.ok) throw new Error(r.error.message);
      const of = (ext: string) => r.value.members.find((m) => m.extension === ext)?.presence;
      expect([of('100'), of('104'), of('101')]).toEqual(['dnd', 'away', 'available']);
    }
    // Back to Available.
    expect((await john('sip.setAvailability', { availability: 'available' })).ok).toBe(true);
    expect(sip.presence.doNotDisturb(t.ids.users.john!)).toBe(false);
  });

  it('is refused while viewing as someone: an Administrator cannot set another member’s', async () => {
    const { t, sip, as } = await setup();
    const morgan = await as('morgan');
    expect((await morgan('auth.viewAs', { userId: t.ids.users.john! })).ok).toBe(true);
    expect((await morgan('sip.setAvailability', { availability: 'dnd' })).ok).toBe(false);
    expect(sip.presence.availabilityOf(t.ids.users.john!)).toBe('available');
  });

  it('keeps a Do-not-disturb member’s phone from ringing in a group call; the group’s others ring', async () => {
    const { t, sip } = await setup();
    const group = (groupId: number) => {
      const id = sip.tracker.start({
        direction: 'inbound',
        bnId: null,
        externalNumber: '+13105550100',
        callFlowId: null,
        placedBy: null,
        events: [],
        steps: [{ kind: 'ring_group', groupId, ringSeconds: 30 }],
      })!;
      return sip.tracker.next(id);
    };
    const before = group(t.ids.groups.sales);
    expect(before.kind === 'ring' && before.targets).toContain('100');
    sip.presence.setAvailability(t.ids.users.john!, 'dnd');
    const after = group(t.ids.groups.sales);
    expect(after.kind).toBe('ring');
    if (after.kind !== 'ring') return;
    expect(after.targets).not.toContain('100');
    expect(after.targets).toEqual(before.kind === 'ring' ? before.targets.filter((e) => e !== '100') : []);
    // Away still rings.
    sip.presence.setAvailability(t.ids.users.peter!, 'away');
    const away = group(t.ids.groups.sales);
    expect(away.kind === 'ring' && away.targets).toContain('101');
  });

  it('sends a direct internal call to a Do-not-disturb member to their voicemail', async () => {
    const { t, sip, dial } = await setup();
    const peter = { userId: t.ids.users.peter!, extension: '101' };
    expect(await dial(peter, '100')).toMatch(/^ring\|[^|]+\|\d+\|100(\||$)/);
    sip.presence.setAvailability(t.ids.users.john!, 'dnd');
    expect(await dial(peter, '100')).toMatch(/^media\|[^|]+\|vm-/);
  });
});
