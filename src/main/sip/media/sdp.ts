import type { G711 } from './g711';

/** The audio part of an SDP offer, and our answer: G.711 and RFC 4733 tones, nothing else. */

export interface AudioOffer {
  address: string;
  port: number;
  codec: G711;
  payloadType: number;
  /** The telephone-event payload type, when offered. */
  eventType: number | null;
}

export function chooseAudio(sdp: string): AudioOffer | null {
  const lines = sdp.split(/\r?\n/);
  let address: string | null = null;
  let media: { port: number; types: number[]; address: string | null } | null = null;
  const rtpmap = new Map<number, string>();
  for (const line of lines) {
    const c = /^c=IN IP4 (\d{1,3}(?:\.\d{1,3}){3})/.exec(line);
    if (c) {
      if (media) media.address = c[1]!;
      else address = c[1]!;
      continue;
    }
    const m = /^m=(\w+) (\d{1,5}) (\S+) ([\d ]+)$/.exec(line.trim());
    if (m) {
      if (media) break; // the first audio stream only
      if (m[1] === 'audio' && m[3] === 'RTP/AVP')
        media = { port: Number(m[2]), types: m[4]!.trim().split(/\s+/).map(Number), address: null };
      continue;
    }
    const r = /^a=rtpmap:(\d+) ([\w-]+)\/(\d+)/.exec(line);
    if (r && media) rtpmap.set(Number(r[1]), `${r[2]!.toUpperCase()}/${r[3]}`);
  }
  if (!media || media.port === 0) return null;
  const host = media.address ?? address;
  if (!host) return null;
  let chosen: { pt: number; codec: G711 } | null = null;
  for (const pt of media.types) {
    const name = rtpmap.get(pt) ?? (pt === 0 ? 'PCMU/8000' : pt === 8 ? 'PCMA/8000' : '');
    if (name === 'PCMU/8000' || name === 'PCMA/8000') {
      chosen = { pt, codec: name === 'PCMU/8000' ? 'PCMU' : 'PCMA' };
      break;
    }
  }
  if (!chosen) return null;
  const event = media.types.find((pt) => rtpmap.get(pt) === 'TELEPHONE-EVENT/8000') ?? null;
  return { address: host, port: media.port, codec: chosen.codec, payloadType: chosen.pt, eventType: event };
}

export function answerSdp(o: {
  address: string;
  port: number;
  offer: AudioOffer;
  sessionId: number;
  version: number;
}): string {
  const types = [o.offer.payloadType, ...(o.offer.eventType !== null ? [o.offer.eventType] : [])];
  return [
    'v=0',
    `o=teamline ${o.sessionId} ${o.version} IN IP4 ${o.address}`,
    's=Teamline media',
    `c=IN IP4 ${o.address}`,
    't=0 0',
    `m=audio ${o.port} RTP/AVP ${types.join(' ')}`,
    `a=rtpmap:${o.offer.payloadType} ${o.offer.codec}/8000`,
    ...(o.offer.eventType !== null
      ? [`a=rtpmap:${o.offer.eventType} telephone-event/8000`, `a=fmtp:${o.offer.eventType} 0-15`]
      : []),
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}
