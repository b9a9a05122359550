import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectRoot } from '../../../src/main/sip/config';
import {
  startMediaService,
  type MediaService,
  type MediaStep,
  type Recording,
} from '../../../src/main/sip/media/service';
import { readWav } from '../../../src/main/sip/media/wav';
import { killAllSipp, received, runSipp } from './sipp';

/**
 * The media service on its own, called by sipp directly (no proxy): the
 * limits that end a message, and what it refuses. The calls it serves come
 * from a stand-in for the call tracker.
 */

const dir = mkdtempSync(join(tmpdir(), 'teamline-media-'));
const waiting = new Map<string, MediaStep>();
const recorded = new Map<string, Recording | null>();
let media: MediaService;

beforeAll(async () => {
  media = await startMediaService({
    promptsDir: join(projectRoot, 'resources', 'prompts'),
    maxSeconds: 2,
    silenceSeconds: 1,
    log: () => {},
    calls: {
      mediaStep: (key) => waiting.get(key) ?? null,
      promptDone: () => {},
      voicemailRecorded: (key, recording) => {
        waiting.delete(key);
        recorded.set(key, recording);
      },
    },
  });
});
afterAll(async () => {
  killAllSipp();
  await media.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (scenario: string, user: string) =>
  runSipp(dir, { scenario, remote: media.address, keys: { bn: user, caller: '+13105550123' }, timeoutSeconds: 20 });

it('ends a message at its time limit with a BYE of its own, and keeps what was said', async () => {
  waiting.set('limitcall01', { kind: 'voicemail', texts: [] });
  const r = await call('voicemail-until-hung-up.xml', 'vm-limitcall01');
  expect(r.code, r.messages).toBe(0);
  expect(received(r.messages, 'BYE')[0]).toMatch(/^BYE sip:\+13105550123@127\.0\.0\.1:\d+ SIP\/2\.0/);
  const recording = recorded.get('limitcall01');
  expect(recording?.durationSeconds).toBe(2);
  // Two seconds of 8 kHz audio at most (the clock or the sample count ends it, whichever is first).
  const samples = readWav(recording!.wav).length;
  expect(samples).toBeGreaterThan(12_000);
  expect(samples).toBeLessThanOrEqual(16_000);
});

it('hangs up on a caller who says nothing, and keeps no message', async () => {
  waiting.set('silentcall1', { kind: 'voicemail', texts: [] });
  const r = await call('voicemail-silent.xml', 'vm-silentcall1');
  expect(r.code, r.messages).toBe(0);
  expect(recorded.has('silentcall1')).toBe(true);
  expect(recorded.get('silentcall1')).toBeNull();
  expect(media.live).toBe(0);
});

it('answers only calls the tracker waits on, as the kind it waits for', async () => {
  waiting.set('promptcall1', { kind: 'prompt', texts: ['Hello.'], menu: null });
  for (const user of ['vm-unknowncall', 'vm-promptcall1', 'someone-else']) {
    const r = await call('call-in-unanswered.xml', user);
    expect(r.code, user).not.toBe(0);
    expect(received(r.messages, 'SIP/2.0 404'), user).toHaveLength(1);
  }
});
