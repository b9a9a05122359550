import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { openDatabase } from '../../src/main/core/store/db';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { NOW } from '../helpers/core';

/** The browser host serves the built renderer compressed, and its hashed chunks as immutable. */
let server: RunningServer;
let core: ReturnType<typeof createCoreWithDb>;
let dir: string;
const script = `export const words = ${JSON.stringify(Array.from({ length: 4000 }, (_, i) => `word${i % 97}`))};\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'teamline-static-'));
  mkdirSync(join(dir, 'assets'));
  mkdirSync(join(dir, 'sounds'));
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>Teamline</title>${'<!-- pad -->'.repeat(200)}`);
  writeFileSync(join(dir, 'assets', 'index-Bx3_a9Zq.js'), script);
  writeFileSync(join(dir, 'assets', 'plain.js'), script);
  writeFileSync(join(dir, 'sounds', 'ringtone.wav'), Buffer.alloc(4096, 1));
  core = createCoreWithDb(openDatabase(':memory:'), { now: () => NOW });
  server = await startServer({ core, staticDir: dir, port: 0 });
});
afterAll(async () => {
  await server.close();
  core.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET (fetch would decode the body and hide the encoding). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(`${server.url}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('static files of the browser host', () => {
  it('sends scripts brotli- or gzip-compressed as the browser accepts, and the same bytes', async () => {
    const br = await get('/assets/index-Bx3_a9Zq.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(script.length / 5);
    expect(brotliDecompressSync(br.body).toString()).toBe(script);

    const gz = await get('/assets/index-Bx3_a9Zq.js', { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);

    const plain = await get('/assets/index-Bx3_a9Zq.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);

    const head = await get('/assets/index-Bx3_a9Zq.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(br.headers['content-length']);
  });

  it('caches content-hashed chunks for a year as immutable, and nothing else', async () => {
    const hashed = await get('/assets/index-Bx3_a9Zq.js');
    expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const path of ['/', '/calls', '/assets/plain.js', '/sounds/ringtone.wav']) {
      const r = await get(path, { 'accept-encoding': 'br' });
      expect(r.status, path).toBe(200);
      expect(r.headers['cache-control'], path).toBe('no-store');
    }
    const html = await get('/', { 'accept-encoding': 'br' });
    expect(html.headers['content-encoding']).toBe('br');
    expect(html.headers['content-security-policy']).toBeTruthy();
    // Audio is not text: it is sent as it is.
    const wav = await get('/sounds/ringtone.wav', { 'accept-encoding': 'gzip, br' });
    expect(wav.headers['content-encoding']).toBeUndefined();
    expect(wav.body.length).toBe(4096);
  });
});
