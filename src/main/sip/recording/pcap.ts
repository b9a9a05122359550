/**
 * The packets of a pcap file as rtpengine's `pcap` recording method writes
 * it (`--recording-format=raw`: link type 101, each packet an IPv4 header,
 * UDP and the RTP the relay received). Ethernet captures (link type 1) are
 * read too. Only UDP over IPv4 is kept.
 */

export interface UdpPacket {
  /** Arrival, in ms since the epoch (the capture's clock, the same as Date.now()). */
  at: number;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

export class PcapError extends Error {}

const LINK_ETHERNET = 1;
const LINK_RAW = 101;

export function readPcap(file: Buffer): UdpPacket[] {
  if (file.length < 24) throw new PcapError('Not a pcap file');
  const magic = file.readUInt32LE(0);
  let little: boolean;
  let nanos = false;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) little = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) little = false;
  else throw new PcapError('Not a pcap file');
  if (magic === 0xa1b23c4d || magic === 0x4d3cb2a1) nanos = true;
  const u32 = (at: number) => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const link = u32(20) & 0x0fffffff;
  if (link !== LINK_RAW && link !== LINK_ETHERNET) throw new PcapError(`Unsupported pcap link type ${link}`);
  const out: UdpPacket[] = [];
  let offset = 24;
  while (offset + 16 <= file.length) {
    const sec = u32(offset);
    const frac = u32(offset + 4);
    const captured = u32(offset + 8);
    const body = offset + 16;
    offset = body + captured;
    // A file cut short (the relay was stopped while writing) ends at its last whole packet.
    if (offset > file.length) break;
    let ip = body;
    if (link === LINK_ETHERNET) {
      if (captured < 14 || file.readUInt16BE(body + 12) !== 0x0800) continue;
      ip += 14;
    }
    if (ip + 20 > offset || file[ip]! >> 4 !== 4 || file[ip + 9] !== 17) continue;
    const udp = ip + (file[ip]! & 0x0f) * 4;
    if (udp + 8 > offset) continue;
    const end = Math.min(offset, udp + file.readUInt16BE(udp + 4));
    out.push({
      at: sec * 1000 + (nanos ? frac / 1e6 : frac / 1e3),
      srcPort: file.readUInt16BE(udp),
      dstPort: file.readUInt16BE(udp + 2),
      payload: file.subarray(udp + 8, Math.max(udp + 8, end)),
    });
  }
  return out;
}
