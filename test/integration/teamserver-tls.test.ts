import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTlsIdentity } from '../../src/main/teamserver/tls';

const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'teamline-tls-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe("the team server's own certificate", () => {
  it('is made once, named for the public name, signed by its own CA, with private keys', () => {
    const dataDir = tempDir();
    const first = loadTlsIdentity({ dataDir, publicName: 'pbx.example.lan' });
    expect(first.selfMade).toBe(true);
    const cert = new X509Certificate(first.cert);
    const ca = new X509Certificate(first.ca!);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('DNS:pbx.example.lan');
    expect(ca.ca).toBe(true);
    expect(first.pin).toBe(ca.fingerprint256);
    expect(first.fingerprint).toBe(cert.fingerprint256);
    expect(statSync(join(dataDir, 'tls', 'server-key.pem')).mode & 0o077).toBe(0);
    expect(statSync(join(dataDir, 'tls', 'ca-key.pem')).mode & 0o077).toBe(0);
    // The same identity on the next start.
    const again = loadTlsIdentity({ dataDir, publicName: 'pbx.example.lan' });
    expect(again.fingerprint).toBe(first.fingerprint);
  });

  it('is renewed from the same CA for a new public name or near expiry, so the pin holds', () => {
    const dataDir = tempDir();
    const first = loadTlsIdentity({ dataDir, publicName: '10.20.0.1' });
    expect(new X509Certificate(first.cert).subjectAltName).toContain('IP Address:10.20.0.1');
    const renamed = loadTlsIdentity({ dataDir, publicName: 'pbx.example.lan' });
    expect(renamed.fingerprint).not.toBe(first.fingerprint);
    expect(renamed.pin).toBe(first.pin);
    const later = loadTlsIdentity({
      dataDir,
      publicName: 'pbx.example.lan',
      now: new Date(Date.now() + 380 * 86_400_000),
    });
    expect(later.fingerprint).not.toBe(renamed.fingerprint);
    expect(later.pin).toBe(first.pin);
  });

  it('serves TLS that a client trusting only the pinned CA accepts, and uses given files as they are', async () => {
    const dataDir = tempDir();
    const id = loadTlsIdentity({ dataDir, publicName: 'localhost' });
    const server = createServer({ cert: id.cert, key: id.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: id.ca! }, () => {
          resolve(s.authorized);
          s.end();
        });
        s.on('error', reject);
      });
      expect(authorized).toBe(true);
    } finally {
      server.close();
    }
    const given = loadTlsIdentity({
      dataDir: tempDir(),
      publicName: 'x',
      certFile: id.certFile,
      keyFile: id.keyFile,
    });
    expect(given.selfMade).toBe(false);
    expect(given.cert).toBe(readFileSync(id.certFile, 'utf8'));
    expect(given.pin).toBe(id.fingerprint);
  });
});
