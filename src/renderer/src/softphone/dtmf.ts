/**
 * The tone in a SIP INFO request, or null. Two bodies are in use:
 * `application/dtmf-relay` ("Signal=5\r\nDuration=160", most PBXs and
 * sip.js) and `application/dtmf` (the bare digit).
 */
export function dtmfOfInfo(body: string, contentType: string | undefined): string | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let tone: string | undefined;
  if (type === 'application/dtmf-relay') tone = /^\s*Signal\s*=\s*(\S)/im.exec(body)?.[1];
  else if (type === 'application/dtmf') tone = body.trim();
  if (!tone) return null;
  tone = tone.toUpperCase();
  return /^[0-9*#A-D]$/.test(tone) ? tone : null;
}
