/**
 * Whether an SDP offer from the other side puts us on hold: its audio is
 * `a=sendonly` (they play music on hold and will not listen) or
 * `a=inactive`, or the old RFC 2543 way, a connection address of 0.0.0.0.
 * A media-level direction overrides the session-level one. Null when the
 * text is not SDP with audio (nothing to say about hold).
 */
export function remoteHolds(sdp: string): boolean | null {
  const lines = sdp.split(/\r?\n/).map((l) => l.trim());
  const audioAt = lines.findIndex((l) => l.startsWith('m=audio '));
  if (audioAt < 0) return null;
  const nextMedia = lines.findIndex((l, i) => i > audioAt && l.startsWith('m='));
  const session = lines.slice(
    0,
    lines.findIndex((l) => l.startsWith('m=')),
  );
  const audio = lines.slice(audioAt, nextMedia < 0 ? undefined : nextMedia);
  // A port of 0 rejects the stream altogether: not a hold.
  if (/^m=audio 0 /.test(lines[audioAt]!)) return null;
  const direction = (part: string[]) =>
    part.map((l) => /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(l)?.[1]).find(Boolean);
  const dir = direction(audio) ?? direction(session) ?? 'sendrecv';
  const address = (part: string[]) => part.map((l) => /^c=IN IP4 (\S+)/.exec(l)?.[1]).find(Boolean);
  const zero = (address(audio) ?? address(session)) === '0.0.0.0';
  return dir === 'sendonly' || dir === 'inactive' || zero;
}
