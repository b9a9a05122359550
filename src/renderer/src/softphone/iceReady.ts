/**
 * When a call's offer or answer has the ICE candidates it needs, so the
 * INVITE (or its 200 OK) need not wait for gathering to end.
 *
 * Chromium gathers in phases: the UDP host candidates of every interface at
 * once, then 50 ms later relay (TURN), then 50 ms after that TCP host
 * candidates. Without ICE servers "gathering complete" therefore comes about
 * 100 ms after the candidates a loopback or LAN call uses (UDP host ones;
 * TCP is only for a network that blocks UDP, and the relay does not take it).
 * So: a UDP host candidate, a server-reflexive one if a STUN server is
 * configured, a relay one if a TURN server is; then a short settle for the
 * siblings of the same phase (the other interfaces).
 */
export interface SeenCandidate {
  type: string | null;
  protocol: string | null;
}

/** How long after the needed candidates to wait for the others of the same burst. */
export const ICE_SETTLE_MS = 10;

export function candidatesNeeded(iceServers: readonly RTCIceServer[] | undefined): {
  srflx: boolean;
  relay: boolean;
} {
  const urls = (iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  return {
    srflx: urls.some((u) => /^stuns?:/i.test(u)),
    relay: urls.some((u) => /^turns?:/i.test(u)),
  };
}

export function enoughCandidates(needed: { srflx: boolean; relay: boolean }, seen: readonly SeenCandidate[]): boolean {
  const has = (type: string, protocol?: string) =>
    seen.some((c) => c.type === type && (protocol === undefined || c.protocol === protocol));
  return has('host', 'udp') && (!needed.srflx || has('srflx')) && (!needed.relay || has('relay'));
}
