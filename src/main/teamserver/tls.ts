import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/**
 * The server's TLS identity. An admin with a certificate (from an ACME
 * client or their own CA) gives its files; otherwise, on first start, the
 * server makes a small CA of its own and a server certificate signed by it,
 * kept in the data directory, so every later start presents the same
 * certificate and a desktop that pinned it keeps trusting it.
 *
 * Desktops pin the SHA-256 fingerprint of the CA when the server made it
 * (a renewed server certificate keeps the pin), of the certificate
 * otherwise; browsers on the LAN see the server certificate's own
 * fingerprint, which the server prints too.
 */
export interface TlsIdentity {
  cert: string;
  key: string;
  /** The chain a client may need (the server's own CA), PEM. */
  ca: string | null;
  /** What a desktop pins: `AA:BB:…`, SHA-256. */
  pin: string;
  /** The server certificate's own SHA-256 fingerprint, as a browser shows it. */
  fingerprint: string;
  /** True when the server made this identity itself. */
  selfMade: boolean;
  certFile: string;
  keyFile: string;
}

export class TlsError extends Error {}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new TlsError('openssl is not installed: give tls.certFile and tls.keyFile, or install openssl');
    throw new TlsError(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() ?? e.message}`);
  }
}

/** The names a certificate must carry: the public name, and loopback for the host itself. */
function subjectAltNames(publicName: string): string {
  const names = new Set([publicName, 'localhost', '127.0.0.1']);
  return [...names].map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
}

function makeIdentity(dir: string, publicName: string): void {
  const tmp = join(dir, '.new');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { mode: 0o700 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca-key.pem',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      `/CN=Teamline CA for ${publicName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    tmp,
  );
  issueServerCertificate(tmp, publicName, 'server-key.pem', 'server.pem');
  for (const f of ['ca-key.pem', 'server-key.pem']) chmodSync(join(tmp, f), 0o600);
  for (const f of ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem']) {
    writeFileSync(join(dir, f), readFileSync(join(tmp, f)), { mode: f.endsWith('key.pem') ? 0o600 : 0o644 });
  }
  rmSync(tmp, { recursive: true, force: true });
}

/** True when the certificate names `publicName` and is valid for at least another 30 days. */
function stillFits(certPem: string, publicName: string, now: Date): boolean {
  const cert = new X509Certificate(certPem);
  const names = cert.subjectAltName ?? '';
  const named = names.split(', ').some((n) => n === `DNS:${publicName}` || n === `IP Address:${publicName}`);
  return named && new Date(cert.validTo).getTime() - now.getTime() > 30 * 86_400_000;
}

/** Reads the admin's certificate, or the server's own (made on first start, renewed from the same CA). */
export function loadTlsIdentity(o: {
  dataDir: string;
  publicName: string;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  now?: Date;
}): TlsIdentity {
  if (o.certFile && o.keyFile) {
    let cert: string, key: string;
    try {
      cert = readFileSync(o.certFile, 'utf8');
      key = readFileSync(o.keyFile, 'utf8');
    } catch (error) {
      throw new TlsError(`the certificate cannot be read: ${(error as Error).message}`);
    }
    const x = new X509Certificate(cert);
    return {
      cert,
      key,
      ca: null,
      pin: x.fingerprint256,
      fingerprint: x.fingerprint256,
      selfMade: false,
      certFile: o.certFile,
      keyFile: o.keyFile,
    };
  }
  const dir = join(o.dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server-key.pem');
  if (!existsSync(certFile) || !existsSync(join(dir, 'ca.pem'))) makeIdentity(dir, o.publicName);
  else if (!stillFits(readFileSync(certFile, 'utf8'), o.publicName, o.now ?? new Date()))
    renewServerCertificate(dir, o.publicName);
  const cert = readFileSync(certFile, 'utf8');
  const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  return {
    cert,
    key: readFileSync(keyFile, 'utf8'),
    ca,
    pin: new X509Certificate(ca).fingerprint256,
    fingerprint: new X509Certificate(cert).fingerprint256,
    selfMade: true,
    certFile,
    keyFile,
  };
}

/**
 * A server certificate for `publicName` signed by the CA in `cwd` (ca.pem,
 * ca-key.pem), written to `keyOut` (owner-only) and `certOut` there. 397
 * days: what browsers accept for a server certificate.
 */
function issueServerCertificate(cwd: string, publicName: string, keyOut: string, certOut: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-new', ...ec, '-keyout', keyOut, '-out', 'server.csr', '-subj', `/CN=${publicName}`], cwd);
  writeFileSync(
    join(cwd, 'server.ext'),
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${subjectAltNames(publicName)}\n`,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '397',
      '-extfile',
      'server.ext',
      '-out',
      certOut,
    ],
    cwd,
  );
  chmodSync(join(cwd, keyOut), 0o600);
  for (const f of ['server.csr', 'server.ext']) rmSync(join(cwd, f), { force: true });
}

/** A new server certificate from the same CA: desktops that pinned the CA go on trusting the server. */
function renewServerCertificate(dir: string, publicName: string): void {
  issueServerCertificate(dir, publicName, 'server-key.new', 'server.new');
  writeFileSync(join(dir, 'server-key.pem'), readFileSync(join(dir, 'server-key.new')), { mode: 0o600 });
  writeFileSync(join(dir, 'server.pem'), readFileSync(join(dir, 'server.new')));
  for (const f of ['server-key.new', 'server.new']) rmSync(join(dir, f), { force: true });
}
