import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core';
import { DEMO_PASSWORD } from '../../../src/main/core/demo/people';
import { setPasswordCost } from '../../../src/main/core/domain/password';
import { startHostedPhone } from '../../../src/main/sip/hosted';
import type { PhoneService } from '../../../src/main/sip/service';
import type { Output } from '../../../src/shared/api/contract';
import type { ApiResult } from '../../../src/shared/result';
import { eventually } from './harness';

/**
 * The phone service as a host runs it beside the core: it tells the core
 * whether it runs (so `sip.credentials` works or says why not), and a proxy
 * that dies is started again on the same ports.
 */
setPasswordCost({ N: 1024, r: 8, p: 1 });

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function signedIn(core: Core, key: string) {
  const conn = core.connect(() => {});
  cleanup.push(() => conn.close());
  const r = await conn.invoke('auth.signIn', { login: `${key}@teamline.demo`, password: DEMO_PASSWORD });
  expect(r.ok).toBe(true);
  return conn;
}

function demoCore(): Core {
  const core = createCore({ dbPath: ':memory:', demoIfEmpty: true });
  cleanup.push(() => core.close());
  return core;
}

describe('the hosted phone service', () => {
  it('without Kamailio, the console works and the softphone is told why it cannot connect', async () => {
    const core = demoCore();
    const phone = await startHostedPhone({
      core,
      sipPort: 0,
      wsPort: 0,
      binary: '/nonexistent/kamailio',
      log: () => {},
    });
    expect(phone).toBeNull();
    const john = await signedIn(core, 'john');
    expect(await john.invoke('sip.credentials', {})).toEqual({
      ok: false,
      error: {
        code: 'conflict',
        message: 'The phone service is not available: Kamailio is not installed on this computer.',
      },
    });
    expect((await john.invoke('calls.list', { limit: 5 })).ok).toBe(true);
    const dir = (await john.invoke('sip.directory', {})) as ApiResult<Output<'sip.directory'>>;
    expect(dir.ok && dir.value.members.every((m) => m.presence === 'offline')).toBe(true);
  });

  it('starts Kamailio again on the same ports when it dies, and keeps issuing credentials for it', async () => {
    const core = demoCore();
    const runDir = mkdtempSync(join(tmpdir(), 'tl-hosted-'));
    const phone = (await startHostedPhone({ core, sipPort: 0, wsPort: 0, runDir, log: () => {} })) as PhoneService;
    cleanup.push(async () => {
      await phone.stop();
      rmSync(runDir, { recursive: true, force: true });
    });
    expect(phone).not.toBeNull();
    const john = await signedIn(core, 'john');
    const credentials = async () => (await john.invoke('sip.credentials', {})) as ApiResult<Output<'sip.credentials'>>;
    const before = await credentials();
    const first = phone.kamailio;
    expect(before.ok && before.value.wsUrl).toBe(first.wsUrl);

    process.kill(first.pid, 'SIGKILL');
    const second = await eventually(() => phone.kamailio !== first && phone.kamailio, 8000);
    expect(second.wsUrl).toBe(first.wsUrl);
    expect(second.sipUdpPort).toBe(first.sipUdpPort);
    const after = await credentials();
    expect(after.ok && after.value.wsUrl).toBe(first.wsUrl);
  });
});
