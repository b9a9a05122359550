import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import WebSocket from 'ws';
import { connectToServer } from '../../src/main/remote/connection';
import { joinWithInvitation, type Joined } from '../../src/main/remote/join';

/**
 * What a desk does on the lab network, run inside a desk's namespace by
 * `ip netns exec` (a process cannot move itself between namespaces): one
 * action given as JSON in argv[2], its outcome as one JSON line on stdout.
 * Errors are outcomes too ({ ok: false, name, message }), so the test
 * asserts on them.
 */

type Action =
  | {
      action: 'admin';
      base: string;
      caFile: string;
      login: string;
      password: string;
      calls: { method: string; input: unknown }[];
    }
  | { action: 'join'; link: string; password: string; deviceName: string }
  | { action: 'device'; joined: Joined }
  | { action: 'http'; url: string }
  | { action: 'tcp'; host: string; port: number }
  | { action: 'sip-udp'; host: string; port: number; domain: string };

const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
const failed = (e: unknown) => ({
  ok: false,
  name: (e as Error).constructor?.name ?? (e as Error).name,
  message: (e as Error).message,
});

function https(url: string, ca: string, o: { method?: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = httpsRequest(url, { method: o.method ?? 'GET', ca, headers: o.headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Signs in as the console does (HTTPS, then the API's WebSocket with the session cookie) and runs the calls in order. */
async function admin(a: Extract<Action, { action: 'admin' }>) {
  const ca = readFileSync(a.caFile, 'utf8');
  const origin = a.base;
  const signIn = await https(`${a.base}/api/session`, ca, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ login: a.login, password: a.password }),
  });
  if (signIn.status !== 200) throw new Error(`sign-in answered ${signIn.status}: ${signIn.body}`);
  const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
  const ws = new WebSocket(`${a.base.replace('https:', 'wss:')}/api`, { ca, headers: { cookie, origin } });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const results: unknown[] = [];
  let id = 0;
  for (const call of a.calls) {
    const mine = ++id;
    results.push(
      await new Promise((resolve) => {
        const onMessage = (data: WebSocket.RawData) => {
          const m = JSON.parse(String(data)) as { id?: number; result?: unknown };
          if (m.id !== mine) return;
          ws.off('message', onMessage);
          resolve(m.result);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id: mine, method: call.method, input: call.input }));
      }),
    );
  }
  ws.close();
  return { ok: true, value: results };
}

/**
 * The joined desktop's connection: reports who it is, then keeps the
 * connection and reports each state change and, after every reconnect,
 * who it is again, until stdin closes.
 */
async function device(a: Extract<Action, { action: 'device' }>) {
  let client: ReturnType<typeof connectToServer> | null = null;
  client = connectToServer({
    url: a.joined.url,
    pin: a.joined.pin,
    pinnedPem: a.joined.pinnedPem,
    deviceCredential: a.joined.deviceCredential,
    maxBackoffMs: 500,
    requestTimeoutMs: 5_000,
    onState: (s) => {
      out({ state: s.state });
      if (s.state === 'online') {
        void client
          ?.invoke('auth.me', {})
          .then((me) => out({ me: me.ok ? me.value.user.email : null }))
          .catch((e: unknown) => out({ me: null, error: (e as Error).message }));
      }
    },
  });
  await new Promise<void>((r) => {
    process.stdin.resume();
    process.stdin.on('end', r);
    process.stdin.on('close', r);
  });
  client.close();
  return { ok: true };
}

function http(url: string) {
  return new Promise<unknown>((resolve) => {
    const req = httpRequest(url, { timeout: 5_000 }, (res) => {
      res.resume();
      resolve({ ok: true, status: res.statusCode });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve(failed(e)));
    req.end();
  });
}

function tcp(host: string, port: number) {
  return new Promise<unknown>((resolve) => {
    const s = netConnect({ host, port, timeout: 5_000 });
    s.on('connect', () => (s.destroy(), resolve({ ok: true })));
    s.on('timeout', () => (s.destroy(), resolve({ ok: false, name: 'Error', message: 'timed out' })));
    s.on('error', (e) => resolve(failed(e)));
  });
}

/** An unauthenticated REGISTER over plain UDP: the first line of the answer, or no answer within 3 s. */
function sipUdp(host: string, port: number, domain: string) {
  return new Promise<unknown>((resolve) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => (sock.close(), resolve({ ok: false, name: 'Error', message: 'no answer' })), 3_000);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve({ ok: true, status: m.toString('utf8').split('\r\n')[0] });
    });
    sock.on('error', (e) => (clearTimeout(timer), sock.close(), resolve(failed(e))));
    sock.bind(0, () => {
      const local = sock.address();
      const tag = Math.random().toString(36).slice(2);
      const msg = [
        `REGISTER sip:${domain} SIP/2.0`,
        `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bK${tag};rport`,
        'Max-Forwards: 70',
        `From: <sip:101@${domain}>;tag=${tag}`,
        `To: <sip:101@${domain}>`,
        `Call-ID: ${tag}@desk`,
        'CSeq: 1 REGISTER',
        `Contact: <sip:101@${local.address}:${local.port}>`,
        'Expires: 60',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      sock.send(msg, port, host);
    });
  });
}

async function main() {
  const a = JSON.parse(process.argv[2] ?? '{}') as Action;
  switch (a.action) {
    case 'admin':
      return admin(a);
    case 'join':
      return { ok: true, value: await joinWithInvitation(a.link, { password: a.password, deviceName: a.deviceName }) };
    case 'device':
      return device(a);
    case 'http':
      return http(a.url);
    case 'tcp':
      return tcp(a.host, a.port);
    case 'sip-udp':
      return sipUdp(a.host, a.port, a.domain);
  }
}

main().then(
  (r) => (out(r), process.exit(0)),
  (e: unknown) => (out(failed(e)), process.exit(0)),
);
