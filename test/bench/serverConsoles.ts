/**
 * The consoles of `npm run bench:server`, in a process of their own (as real
 * consoles are, in browsers elsewhere): so that the clients' own work, and
 * the bench's spawning of its load generators, do not hold up the server's
 * event loop and count as list time, and a stall of the server does not line
 * the clients up so that they keep arriving together afterwards.
 *
 *   tsx test/bench/serverConsoles.ts <url> <password> <tabs per person> <max seconds> <person>…
 *
 * Signs every person in, opens their tabs, prints `ready`, and on `start`
 * (a line on stdin) has each tab read a page of calls once a second, at its
 * own fixed offset in the second (an absolute schedule: a late reply does
 * not move the next request), for at most the max seconds. On `stop` prints
 * one JSON line: every round trip (ms) and the failures.
 */
import { createInterface } from 'node:readline';
import { open, signIn, type SocketClient } from '../helpers/host';

async function main() {
  const [url, password, tabsText, maxText, ...people] = process.argv.slice(2);
  const tabs = Number(tabsText);
  const maxSeconds = Number(maxText);
  const sockets: SocketClient[] = [];
  for (const key of people) {
    const { cookie } = await signIn(url!, `${key}@teamline.demo`, password);
    for (let i = 0; i < tabs; i++) sockets.push(await open(url!, { origin: url!, cookie: cookie! }));
  }
  const lines = createInterface({ input: process.stdin });
  const commands: string[] = [];
  let wake: (() => void) | null = null;
  lines.on('line', (l) => {
    commands.push(l.trim());
    wake?.();
  });
  const command = () =>
    new Promise<string>((resolve) => {
      const take = () => {
        const c = commands.shift();
        if (c !== undefined) resolve(c);
        else wake = take;
      };
      take();
    });
  process.stdout.write('ready\n');
  if ((await command()) !== 'start') return;

  const listMs: number[] = [];
  let failures = 0;
  let polling = true;
  const t0 = performance.now();
  const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
  const pollers = sockets.map(async (s, i) => {
    const offset = (i * 1000) / sockets.length;
    for (let n = 0; polling && n < maxSeconds; n++) {
      await sleepUntil(t0 + offset + n * 1000);
      if (!polling) break;
      const t = performance.now();
      const r = await s.send('calls.list', { limit: 50 });
      listMs.push(performance.now() - t);
      if (!r.ok) failures += 1;
    }
  });
  // The bench asks for the results when its load is done; the max seconds only bound the polling.
  await command();
  polling = false;
  await Promise.all(pollers);
  process.stdout.write(`${JSON.stringify({ listMs, failures })}\n`);
  for (const s of sockets) s.ws.close();
  lines.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
