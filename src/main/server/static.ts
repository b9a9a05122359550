import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  /** The same bytes compressed, for text files worth it; made once, when the host first reads the file. */
  br?: Buffer | undefined;
  gzip?: Buffer | undefined;
  /** A build output whose name carries its content hash: it never changes at that URL. */
  immutable: boolean;
}

/** Vite's build names its chunks and assets `assets/<name>-<hash>.<ext>`. */
const HASHED = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

async function compressed(body: Buffer): Promise<{ br: Buffer; gzip: Buffer }> {
  const [br, gz] = await Promise.all([
    // Quality 9: within a few per cent of 11's size at a fraction of its time (files are compressed on first request).
    brotli(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 9,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gzipped(body, { level: 9 }),
  ]);
  return { br, gzip: gz };
}

/**
 * A file of the built renderer for a URL path, or index.html for the app's
 * own routes. Paths never leave `root`.
 */
export async function staticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  const file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  const candidate = (await isFile(file)) ? file : extname(path) ? null : join(root, 'index.html');
  if (!candidate) return null;
  const body = await readFile(candidate);
  const ext = extname(candidate);
  const served: StaticFile = {
    body,
    type: types[ext] ?? 'application/octet-stream',
    immutable: candidate !== join(root, 'index.html') && HASHED.test(path),
  };
  if (COMPRESSIBLE.has(ext) && body.length > 1024) Object.assign(served, await compressed(body));
  return served;
}

/** The encodings a request accepts (`br`, `gzip`), leaving out those it refuses with q=0. */
function accepted(req: IncomingMessage): Set<string> {
  const out = new Set<string>();
  for (const part of String(req.headers['accept-encoding'] ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name || params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p))) continue;
    out.add(name);
  }
  return out;
}

/**
 * Answers with a static file: compressed when the client takes it (brotli,
 * else gzip), and, for the build's content-hashed chunks, cacheable for a
 * year as immutable, so a second visit loads the app without asking for its
 * scripts. Everything else keeps the host's `no-store` (index.html names the
 * current chunks and may clear a stale cookie).
 */
export function sendStatic(
  req: IncomingMessage,
  res: ServerResponse,
  file: StaticFile,
  headers: OutgoingHttpHeaders,
): void {
  const out: OutgoingHttpHeaders = { ...headers };
  if (file.immutable) out['cache-control'] = 'public, max-age=31536000, immutable';
  let body = file.body;
  if (file.br || file.gzip) {
    out.vary = 'accept-encoding';
    const ok = accepted(req);
    if (file.br && ok.has('br')) {
      body = file.br;
      out['content-encoding'] = 'br';
    } else if (file.gzip && ok.has('gzip')) {
      body = file.gzip;
      out['content-encoding'] = 'gzip';
    }
  }
  out['content-length'] = body.length;
  res.writeHead(200, out).end(req.method === 'HEAD' ? undefined : body);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
