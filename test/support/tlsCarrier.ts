import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';

/**
 * A carrier's SIP over TLS for tests: a TLS server (Node's, with OpenSSL)
 * in front of a sipp that speaks SIP over TCP, as stunnel would put it,
 * with certificates made by `openssl` for the test: a private CA and
 * certificates it signed (one for the right host name, one for another
 * name) and a self-signed one that no one trusts.
 */

export interface CarrierCerts {
  /** The test CA's certificate (PEM file): trusted only by whoever is given it. */
  caFile: string;
  /** Signed by the CA for `localhost`. */
  good: { certFile: string; keyFile: string };
  /** Signed by the CA, for another name (sip.other-carrier.test). */
  otherName: { certFile: string; keyFile: string };
  /** Self-signed for `localhost`: no CA vouches for it. */
  selfSigned: { certFile: string; keyFile: string };
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeCarrierCerts(dir: string): CarrierCerts {
  const f = (name: string) => join(dir, name);
  openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Test Carrier CA',
  ]);
  const signed = (name: string, host: string) => {
    writeFileSync(f(`${name}.ext`), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
    openssl(['req', ...EC, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${host}`]);
    openssl([
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
    ]);
    return { certFile: f(`${name}.pem`), keyFile: f(`${name}.key`) };
  };
  const good = signed('good', 'localhost');
  const otherName = signed('other', 'sip.other-carrier.test');
  openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    f('self.key'),
    '-out',
    f('self.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost',
  ]);
  return { caFile: f('ca.pem'), good, otherName, selfSigned: { certFile: f('self.pem'), keyFile: f('self.key') } };
}

export interface TlsFront {
  port: number;
  /** TLS connections accepted (handshake done). */
  accepted(): number;
  close(): Promise<void>;
}

/** Terminates TLS on `port` (0: a free one) and relays each connection to SIP over TCP at 127.0.0.1:`target`. */
export function tlsFront(o: { certFile: string; keyFile: string; target: number; port?: number }): Promise<TlsFront> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer(
    { cert: readFileSync(o.certFile), key: readFileSync(o.keyFile), minVersion: 'TLSv1.2' },
    (tls: TLSSocket) => {
      count++;
      const up = connect(o.target, '127.0.0.1');
      for (const s of [tls, up]) {
        sockets.add(s);
        s.on('error', () => {
          tls.destroy();
          up.destroy();
        });
        s.on('close', () => sockets.delete(s));
      }
      tls.pipe(up);
      up.pipe(tls);
    },
  );
  server.on('tlsClientError', () => {});
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        accepted: () => count,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
