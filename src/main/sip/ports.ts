import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** Loopback ports for the phone service's servers, and a one-shot UDP question to one of them. */

/**
 * A loopback port free for TCP, and for UDP when `udp` (SIP uses the same
 * number for both), other than those in `avoid`: ports already given to a
 * server that has not bound them yet (the proxy's public ports, chosen
 * before it starts) look free too.
 */
export async function freePort(
  host = '127.0.0.1',
  udp = false,
  avoid: ReadonlySet<number> = new Set(),
): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, host, () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (avoid.has(port)) continue;
    if (!udp || (await portIsFree(port, true, host))) return port;
  }
  throw new Error('No free port found');
}

/**
 * The first of `count` consecutive loopback UDP ports that are all free (a
 * media peer such as sipp binds its RTP port and the next three).
 */
export async function freeUdpRange(count: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await freePort(host, true);
    let ok = first + count <= 65535;
    for (let i = 1; ok && i < count; i++) ok = await portIsFree(first + i, true, host);
    if (ok) return first;
  }
  throw new Error('No free port range found');
}

/** True when nothing listens on this loopback port (TCP, and UDP when `udp`). */
export async function portIsFree(port: number, udp = false, host = '127.0.0.1'): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
  if (!tcp || !udp) return tcp;
  return new Promise<boolean>((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

/**
 * Sends one UDP datagram (built once the local port is known) and resolves
 * with the first reply as text, or null after `timeoutMs`.
 */
export function udpAsk(
  host: string,
  port: number,
  message: (localPort: number) => string,
  timeoutMs: number,
): Promise<string | null> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const done = (reply: string | null) => {
      clearTimeout(timer);
      s.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    s.once('message', (m) => done(m.toString('latin1')));
    s.once('error', () => done(null));
    s.bind(0, host, () => s.send(message(s.address().port), port, host));
  });
}
