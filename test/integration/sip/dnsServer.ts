import { createSocket, type Socket } from 'node:dgram';

/**
 * A small authoritative DNS server over UDP for tests: A and SRV records of
 * a few names, NXDOMAIN for every other name, and an empty answer for other
 * record types of a known name. Enough for a resolver (the system's, Node's)
 * to find a carrier by its SRV records.
 */

export type DnsRecord =
  | { type: 'A'; name: string; address: string }
  | { type: 'SRV'; name: string; priority: number; weight: number; port: number; target: string };

const TYPE = { A: 1, SRV: 33 } as const;

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
}

/** The question of a query: its name (lower case), type, and where it ends; null when malformed. */
function readQuestion(msg: Buffer): { name: string; type: number; end: number } | null {
  let at = 12;
  const labels: string[] = [];
  for (let guard = 0; guard < 128; guard++) {
    const len = msg[at];
    if (len === undefined || len > 63) return null;
    at += 1;
    if (len === 0) break;
    if (at + len > msg.length) return null;
    labels.push(msg.subarray(at, at + len).toString('ascii'));
    at += len;
  }
  if (at + 4 > msg.length) return null;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(at), end: at + 4 };
}

function rdata(r: DnsRecord): Buffer {
  if (r.type === 'A') return Buffer.from(r.address.split('.').map(Number));
  const head = Buffer.alloc(6);
  head.writeUInt16BE(r.priority, 0);
  head.writeUInt16BE(r.weight, 2);
  head.writeUInt16BE(r.port, 4);
  return Buffer.concat([head, encodeName(r.target)]);
}

export function answer(query: Buffer, records: DnsRecord[]): Buffer | null {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return null;
  const q = readQuestion(query);
  if (!q) return null;
  const named = records.filter((r) => r.name.toLowerCase() === q.name);
  const matching = named.filter((r) => TYPE[r.type] === q.type);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  // A response, authoritative, recursion desired copied, recursion available; NXDOMAIN for an unknown name.
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | (named.length ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(matching.length, 6);
  const answers = matching.map((r) => {
    const data = rdata(r);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // the question's name
    rr.writeUInt16BE(q.type, 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  return Buffer.concat([header, query.subarray(12, q.end), ...answers]);
}

export interface DnsServer {
  /** The names asked, in order ("NAME TYPE"). */
  asked: string[];
  close(): Promise<void>;
}

export async function startDnsServer(address: string, records: DnsRecord[], port = 53): Promise<DnsServer> {
  const socket: Socket = createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (msg, from) => {
    const q = readQuestion(msg);
    if (q) asked.push(`${q.name} ${q.type}`);
    const reply = answer(msg, records);
    if (reply) socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => resolve());
  });
  return { asked, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}
