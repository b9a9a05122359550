import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCoreWithDb } from '../../../src/main/core/api/core';
import { DEMO_PASSWORD } from '../../../src/main/core/demo/people';
import { seedDemo } from '../../../src/main/core/demo/seed';
import { openDatabase } from '../../../src/main/core/store/db';
import { freePort } from '../../../src/main/sip/ports';
import { startPhoneService, type PhoneService } from '../../../src/main/sip/service';
import { topohUnmask } from '../../../src/main/sip/topoh';
import { TOPOH_KEY_FILE } from '../../../src/main/sip/trunkSecrets';
import { eventually } from './harness';
import { killAllSipp, received, startSipp } from './sipp';

/**
 * Topology hiding's key outlives the phone service: it is kept beside the
 * database (owner-only), so a Call-ID the proxy masked for the carrier
 * before a restart is masked the same after it. A text the outbox sends
 * again after a restart (it stopped between the carrier's 200 and the
 * commit) reaches the carrier with the Call-ID of the first try, which a
 * carrier that drops repeats recognises.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'tl-topoh-'));
const runDirs: string[] = [];
let phone: PhoneService | null = null;
afterAll(async () => {
  killAllSipp();
  await phone?.stop();
  for (const d of [dataDir, ...runDirs]) rmSync(d, { recursive: true, force: true });
});

const maskKey = (runDir: string) =>
  /modparam\("topoh", "mask_key", "([0-9a-f]+)"\)/.exec(readFileSync(join(runDir, 'kamailio.cfg'), 'utf8'))![1]!;

describe('topology hiding across a restart', () => {
  it('keeps its key in the data folder, and a text sent again after a restart carries the same masked Call-ID', async () => {
    const db = openDatabase(join(dataDir, 'teamline.db'));
    const ids = seedDemo(db, Date.now(), { days: 0 });
    const core = createCoreWithDb(db, { validateOutput: true });
    const admin = core.connect(() => {});
    const ok = async (method: string, input: unknown) => {
      const r = (await admin.invoke(method as never, input as never)) as {
        ok: boolean;
        value?: unknown;
        error?: { message: string };
      };
      if (!r.ok) throw new Error(`${method}: ${r.error?.message}`);
      return r.value as Record<string, unknown>;
    };
    await ok('auth.signIn', { login: 'morgan@teamline.demo', password: DEMO_PASSWORD });
    const carrierPort = await freePort('127.0.0.1', true);
    await ok('carrier.saveTrunk', {
      name: 'Carrier',
      host: '127.0.0.1',
      port: carrierPort,
      transport: 'udp',
      registration: null,
      allowCidrs: ['127.0.0.1/32'],
      callerIdMode: 'pai',
      callerIdPlus: true,
      role: 'preferred',
    });
    const m = await ok('messages.send', { bnId: ids.numbers.mainLA, to: '+13105550177', body: 'Once only' });
    const status = () => db.prepare('SELECT status FROM messages WHERE id = ?').pluck().get(m.id) as string;

    const run = async () => {
      const runDir = mkdtempSync(join(tmpdir(), 'tl-topoh-run-'));
      runDirs.push(runDir);
      const carrier = await startSipp(runDir, { scenario: 'carrier-sms-accept.xml', localPort: carrierPort });
      phone = await startPhoneService({
        db,
        accountId: ids.accountId,
        recordCall: () => {},
        runDir,
        media: false,
        mediaService: false,
        recording: false,
        smsTiming: { pollMs: 50, backoffMs: 300, maxBackoffMs: 800 },
      });
      await eventually(() => status() === 'sent', 10_000);
      await carrier.done;
      await phone.stop();
      phone = null;
      const [msg] = received(carrier.messages(), 'MESSAGE');
      return { key: maskKey(runDir), callId: /^Call-ID: (.*)$/m.exec(msg!)![1]!.trim() };
    };

    const first = await run();
    const file = join(dataDir, TOPOH_KEY_FILE);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.key);
    // What the carrier saw is topoh's token for the outbox's Call-ID, not the Call-ID itself.
    expect(first.callId.startsWith('!!:')).toBe(true);
    expect(topohUnmask(first.callId, first.key)).toMatch(/-1-1@teamline$/);

    // Teamline stopped after the carrier's 200 and before recording it: the text is still "sending".
    db.prepare(`UPDATE messages SET status = 'sending', parts_sent = 0 WHERE id = ?`).run(m.id);
    const second = await run();
    expect(second.key).toBe(first.key);
    expect(second.callId).toBe(first.callId);
    core.close();
  }, 60_000);
});
