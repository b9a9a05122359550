import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { ExportProgress } from '../../shared/api/bridge';
import type { Joined } from './join';
import { pinnedTlsOptions } from './pin';

/**
 * A CSV export on a joined desktop: the console prepared the ticket on the
 * team server over the desktop's connection (exports.prepare); this
 * downloads `/export/<ticket>` from the same server, pinned, with the device
 * credential (the server gives the ticket only to the desktop that prepared
 * it), and writes it to the file the person chose as it comes, reporting
 * rows and bytes. A cancelled or failed download leaves no file behind.
 */

/**
 * The name a joined desktop's save dialog proposes: the ticket's own
 * (`calls-2026-12-03.csv`, made by the server), as the window passes it on.
 * The window is not trusted with paths: anything but a plain name of that
 * shape becomes `teamline-export-<date>.csv`.
 */
export function suggestedExportName(fromWindow: unknown, now: number): string {
  if (typeof fromWindow === 'string' && /^[a-z][a-z-]{0,29}-\d{4}-\d\d-\d\d\.csv$/.test(fromWindow)) return fromWindow;
  return `teamline-export-${new Date(now).toISOString().slice(0, 10)}.csv`;
}

/** Counts CSV records as they stream: line ends outside quoted fields. */
export function recordCounter(): (chunk: string) => number {
  let quoted = false;
  let records = 0;
  return (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 34) quoted = !quoted;
      else if (c === 10 && !quoted) records += 1;
    }
    return records;
  };
}

export async function downloadExport(o: {
  joined: Pick<Joined, 'server' | 'pin' | 'pinnedPem' | 'deviceCredential'>;
  token: string;
  path: string;
  cancelled: () => boolean;
  onProgress?: ((p: ExportProgress) => void) | undefined;
  timeoutMs?: number | undefined;
}): Promise<ExportProgress> {
  const key = o.token;
  if (!/^[A-Za-z0-9_-]{43}$/.test(o.token))
    return { token: key, state: 'failed', rows: 0, total: null, message: 'This export has expired; export again.' };
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(o.joined.server);
  const host = m?.[1] ?? m?.[2] ?? o.joined.server;
  let mismatch: Error | null = null;
  const tls = pinnedTlsOptions(o.joined.pin, o.joined.pinnedPem, (e) => (mismatch = e));
  let rows = 0;
  let bytes = 0;
  const count = recordCounter();
  const out = createWriteStream(o.path);
  const fail = async (message: string): Promise<ExportProgress> => {
    out.destroy();
    await rm(o.path, { force: true });
    return { token: key, state: 'failed', rows: Math.max(0, rows - 1), bytes, total: null, message };
  };
  try {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        {
          host,
          port: Number(m?.[3] ?? 443),
          path: `/export/${o.token}`,
          method: 'GET',
          headers: { authorization: `Device ${o.joined.deviceCredential}`, host: o.joined.server },
          servername: /^[\d.]+$|:/.test(host) ? undefined : host,
          timeout: o.timeoutMs ?? 30_000,
          ...tls,
        },
        resolve,
      );
      req.on('timeout', () => req.destroy(new Error(`No answer from ${o.joined.server}`)));
      req.on('error', (e) => reject(mismatch ?? e));
      req.end();
    });
    if (res.statusCode !== 200) {
      let text = '';
      for await (const c of res) if (text.length < 500) text += String(c);
      return await fail(text.trim() || `The server refused the export (HTTP ${res.statusCode ?? '?'}).`);
    }
    let last = 0;
    for await (const c of res) {
      const chunk = c as Buffer;
      if (o.cancelled()) {
        res.destroy();
        out.destroy();
        await rm(o.path, { force: true });
        return { token: key, state: 'cancelled', rows: Math.max(0, rows - 1), bytes, total: null };
      }
      bytes += chunk.length;
      rows = count(chunk.toString('utf8'));
      if (!out.write(chunk)) await once(out, 'drain');
      const t = Date.now();
      if (t - last > 100) {
        last = t;
        o.onProgress?.({ token: key, state: 'running', rows: Math.max(0, rows - 1), bytes, total: null });
      }
    }
    if (!res.complete) return await fail('The download was cut short; export again.');
    out.end();
    await once(out, 'finish');
    // The header line is not a row.
    return { token: key, state: 'done', rows: Math.max(0, rows - 1), bytes, total: null, file: o.path };
  } catch (error) {
    return fail(error instanceof Error ? error.message : 'The export failed');
  }
}
