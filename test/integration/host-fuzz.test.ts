import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badFrames, badMessages, closedWithin, rawSocket } from '../helpers/fuzz';
import { open, signIn, startHost, type Host, type SocketClient } from '../helpers/host';

/**
 * Hostile clients against an in-process browser host: broken frames, bytes
 * that are not WebSocket at all, oversized and malformed messages. Each must
 * end only its own socket, while a signed-in client keeps its answers fast.
 */

let host: Host;
let url: string;
let port: number;

beforeAll(async () => {
  host = await startHost({ limits: { maxMessage: 64 * 1024 } });
  url = host.server.url;
  port = Number(new URL(url).port);
});
afterAll(() => host.close());

const ms = async (work: () => Promise<unknown>) => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};

const raw = (handshake = true) => rawSocket(url, handshake);

describe('a hostile client cannot stop the host', () => {
  let watcher: SocketClient;
  const slowest: number[] = [];
  let probing = true;

  beforeAll(async () => {
    const { cookie } = await signIn(url, 'morgan@teamline.demo');
    watcher = await open(url, { origin: url, cookie: cookie! });
  });

  /** A signed-in client asks every 20 ms while the fuzzing runs; every answer is timed. Bounded to 2,000 questions. */
  async function probe() {
    for (let i = 0; i < 2000 && probing; i++) {
      const t = performance.now();
      const r = await watcher.send('calls.list', { limit: 5 });
      slowest.push(performance.now() - t);
      expect(r.ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('ends only the socket of a bad frame, bad bytes or a bad message; others keep getting answers', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    const probing$ = probe();
    try {
      for (const [name, bytes] of badFrames) {
        const s = await raw();
        s.write(bytes);
        expect(await closedWithin(s, 2000), name).toBe(true);
      }
      // Not a WebSocket at all: garbage instead of a request, a huge header, a slow trickle.
      for (const bytes of [
        randomBytes(2048),
        Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX: ${'a'.repeat(70_000)}\r\n\r\n`),
      ]) {
        const s = await raw(false);
        s.write(bytes);
        expect(await closedWithin(s, 2000)).toBe(true);
      }
      for (const [name, message] of badMessages) {
        const c = await open(url, { origin: url });
        const answer = new Promise<unknown>((resolve) => {
          c.ws.once('message', (d) => resolve(JSON.parse(String(d))));
          c.ws.once('close', () => resolve('closed'));
        });
        c.ws.send(message);
        const got = await answer;
        expect(got, name).not.toBe('closed');
        expect(got, name).toMatchObject({ result: { ok: false } });
        c.ws.close();
      }
      // A burst of bad frames from many sockets at once.
      const many = await Promise.all(Array.from({ length: 12 }, () => raw()));
      many.forEach((s, i) => s.write(badFrames[i % badFrames.length]![1]));
      expect((await Promise.all(many.map((s) => closedWithin(s, 3000)))).every(Boolean)).toBe(true);
    } finally {
      // A quick machine may finish the fuzzing within a few probes: keep timing a little longer (bounded).
      for (let i = 0; i < 100 && slowest.length < 10; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      probing = false;
      await probing$;
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(slowest.length).toBeGreaterThan(5);
    // The 100 ms target is measured by the host benchmark (test/bench/host.ts,
    // bench/HOST.md) on a machine that runs nothing else; here, where other
    // test files share the cores, the answers must keep coming: none waits a
    // second (a host that stalls on a bad frame, or restarts, does), and they
    // are no slower than twice what the machine gives without fuzzing.
    const quiet: number[] = [];
    for (let i = 0; i < 20; i++) quiet.push(await ms(() => watcher.send('calls.list', { limit: 5 })));
    expect(Math.max(...slowest)).toBeLessThan(Math.max(1000, 2 * Math.max(...quiet)));
    // The watcher's socket is still the same, open one.
    expect((await watcher.send('auth.me', {})).ok).toBe(true);
  });
});
