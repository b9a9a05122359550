import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import { appLink, fingerprintHex } from '../../shared/joinLink';
import { JoinError } from './join';

/**
 * Joining by typing the server's address instead of opening a link: the
 * desktop shows the fingerprints of the certificates the server presents,
 * the person compares them with the one their administrator gave them
 * (printed by the server at its first start), and the one they confirm is
 * pinned exactly as a link's would be. Nothing is trusted before that.
 */

export interface PresentedCertificate {
  /** `AA:BB:…` */
  fingerprint: string;
  subject: string;
  /** The server's own CA (what a server that made its certificate prints), or the server certificate. */
  isCa: boolean;
}

/** `pbx.example.com`, `pbx.example.com:8443`, `https://pbx.example.com:8443/…` → `host:port`. */
export function serverAddress(text: string): string {
  const raw = text.trim();
  let candidate = raw;
  if (/^[a-z]+:\/\//i.test(raw)) {
    try {
      candidate = new URL(raw.replace(/^wss?:/i, 'https:')).host;
    } catch {
      throw new JoinError(`"${raw}" is not a server address.`);
    }
  }
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(?::(\d{1,5}))?$/.exec(candidate);
  const port = Number(m?.[2] ?? 8443);
  if (!m || port < 1 || port > 65_535) throw new JoinError(`"${raw}" is not a server address.`);
  return `${m[1]!.toLowerCase()}:${port}`;
}

export function presentedCertificates(server: string, timeoutMs = 10_000): Promise<PresentedCertificate[]> {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(server);
  const host = m?.[1] ?? m?.[2] ?? '';
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port: Number(m?.[3]),
      servername: isIP(host) ? undefined : host,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    socket.once('secureConnect', () => {
      const seen: PresentedCertificate[] = [];
      let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (c && Object.keys(c).length > 0 && !seen.some((s) => s.fingerprint === c!.fingerprint256)) {
        const cn = c.subject?.CN;
        seen.push({ fingerprint: c.fingerprint256, subject: (Array.isArray(cn) ? cn[0] : cn) ?? '', isCa: c.ca });
        c = c.issuerCertificate;
      }
      socket.destroy();
      resolve(seen);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new JoinError(`No answer from ${server}.`));
    });
    socket.once('error', (e) => reject(new JoinError(`Cannot reach ${server}: ${e.message}`)));
  });
}

/** The invitation as a link, from an address, the fingerprint the person confirmed, and the invitation code. */
export function linkFromParts(server: string, fingerprint: string, code: string): string {
  const fp = fingerprintHex(fingerprint);
  if (!fp) throw new JoinError('That is not a certificate fingerprint.');
  const token = code.trim();
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new JoinError('The invitation code is 43 letters, digits, - and _.');
  return appLink({ server: serverAddress(server), fingerprint: fp, token });
}
