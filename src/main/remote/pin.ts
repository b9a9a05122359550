import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, connect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';

/**
 * Certificate pinning for a desktop that joined a team server. The
 * invitation carries a SHA-256 fingerprint: of the server's own CA when the
 * server made its certificate itself, of the certificate otherwise. A
 * connection is accepted only if the certificate the server presents
 * verifies (against that CA, or the system's roots) for the server's name,
 * AND the pinned certificate is in its chain: a certificate from another CA,
 * even one the system trusts, is refused.
 */

export class PinMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly seen: readonly string[],
  ) {
    super(
      `The server's certificate is not the one this desktop trusts (expected ${expected}, the server showed ${seen[0] ?? 'another one'}). ` +
        'Someone may be intercepting the connection, or the server got a new certificate: ask your administrator before going on.',
    );
  }
}

/** `aa bb…`, `AABB…`, `sha256:AA:BB:…` → `AA:BB:…`; null when it is not a SHA-256 fingerprint. */
export function normalizePin(text: string): string | null {
  const hex = text
    .trim()
    .replace(/^sha-?256[:=\s]*/i, '')
    .replace(/[:\s-]/g, '')
    .toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex.match(/../g)!.join(':') : null;
}

/** Node's codes for a certificate chain that does not verify against the trust we gave. */
const UNTRUSTED_CHAIN = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The pin-mismatch refusal for a connection error, when the error is the certificate's. */
export function certificateRefusal(pin: string, error: unknown): PinMismatchError | null {
  if (error instanceof PinMismatchError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNTRUSTED_CHAIN.has(code) ? new PinMismatchError(pin, []) : null;
}

function chainOf(cert: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  let c: DetailedPeerCertificate | undefined = cert;
  while (c && Object.keys(c).length > 0 && !chain.includes(c)) {
    chain.push(c);
    c = c.issuerCertificate;
  }
  return chain;
}

function pemOf(raw: Buffer): string {
  return new X509Certificate(raw).toString();
}

/**
 * Connects once without trusting anything, and returns the PEM of the pinned
 * certificate from the chain the server presents, to trust from then on.
 * Throws PinMismatchError when the pin is not in the chain.
 */
export function fetchPinnedCertificate(o: {
  host: string;
  port: number;
  servername?: string | undefined;
  pin: string;
  timeoutMs?: number;
}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: o.host,
      port: o.port,
      servername: o.servername ?? o.host,
      rejectUnauthorized: false,
      timeout: o.timeoutMs ?? 10_000,
    });
    socket.once('secureConnect', () => {
      const chain = chainOf(socket.getPeerCertificate(true));
      socket.destroy();
      const match = chain.find((c) => c.fingerprint256 === o.pin);
      if (match) resolve(pemOf(match.raw));
      else
        reject(
          new PinMismatchError(
            o.pin,
            chain.map((c) => c.fingerprint256),
          ),
        );
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`No answer from ${o.host}:${o.port}`));
    });
    socket.once('error', reject);
  });
}

/**
 * TLS options for every later connection: the pinned certificate as the only
 * trust anchor when it is a CA, the system's roots plus the pin otherwise.
 * `onMismatch` learns of a refusal (so the caller can say why, not just "closed").
 */
export function pinnedTlsOptions(pin: string, pinnedPem: string, onMismatch: (e: PinMismatchError) => void) {
  const pinned = new X509Certificate(pinnedPem);
  return {
    ca: pinned.ca ? [pinnedPem] : undefined,
    rejectUnauthorized: true,
    checkServerIdentity(host: string, cert: PeerCertificate): Error | undefined {
      const wrongName = checkServerIdentity(host, cert);
      if (wrongName) return wrongName;
      const chain = chainOf(cert as DetailedPeerCertificate);
      if (chain.some((c) => c.fingerprint256 === pin)) return undefined;
      const error = new PinMismatchError(
        pin,
        chain.map((c) => c.fingerprint256),
      );
      onMismatch(error);
      return error;
    },
  };
}
