import type { Presence } from './presence';

/**
 * Withdrawing a phone's access at once: when a joined desktop is revoked or
 * its user deactivated, its credentials are refused from then on (decide.ts
 * checks the device and the user on every REGISTER and call), and what the
 * proxy already holds goes too: its registered contacts are removed from
 * Kamailio's location table over the control socket, so a call to the user
 * no longer rings it, and its calls going on are ended (the proxy sends BYE
 * both ways, and the call is recorded as ended).
 */

export interface Withdrawal {
  extension: string;
  /** One joined desktop; null: every phone of the user (deactivated). */
  deviceId: number | null;
}

/**
 * Runs one control command (kamcmd: `s:` keeps a value that looks like a
 * number a string); its output, or null when the proxy did not answer.
 */
export type Rpc = (...args: string[]) => Promise<string | null>;

interface DialogContacts {
  hEntry: string;
  hId: string;
  contacts: string[];
}

/** The dialogs in `kamcmd dlg.list` output, with the two parties' contacts. */
export function parseDialogs(out: string): DialogContacts[] {
  const dialogs: DialogContacts[] = [];
  let d: DialogContacts | null = null;
  for (const raw of out.split('\n')) {
    const line = raw.trim();
    const entry = /^h_entry: (\d+)$/.exec(line);
    if (entry) {
      d = { hEntry: entry[1]!, hId: '', contacts: [] };
      dialogs.push(d);
      continue;
    }
    if (!d) continue;
    const m = /^(h_id|contact): (.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'h_id') d.hId = m[2]!;
    else d.contacts.push(m[2]!);
  }
  return dialogs.filter((x) => /^\d+$/.test(x.hId));
}

/** The parts of a SIP URI that name one phone: user (may be empty), host and port. */
function phoneOf(uri: string): { user: string; host: string; port: string } | null {
  const m = /^sips?:(?:([^@;>]*)@)?(\[[^\]]+\]|[^:;>?]+)(?::(\d+))?/i.exec(uri.trim().replace(/^<|>$/g, ''));
  if (!m) return null;
  return { user: m[1] ?? '', host: m[2]!.toLowerCase(), port: m[3] ?? '5060' };
}

/**
 * Whether two contacts are the same phone. A phone answers with a Contact
 * that may leave out the user part its REGISTER had (stock phones do), so
 * the address decides, and the user too when both name one (a WebSocket
 * phone's made-up `.invalid` host is the same for every tab of a browser).
 */
export function samePhone(a: string, b: string): boolean {
  const x = phoneOf(a);
  const y = phoneOf(b);
  if (!x || !y || x.host !== y.host || x.port !== y.port) return false;
  return x.user === '' || y.user === '' || x.user === y.user;
}

/** Removes the registrations and ends the calls of what was withdrawn. Returns how many contacts and calls went. */
export async function withdrawPhones(
  w: Withdrawal,
  o: { rpc: Rpc; presence: Presence; log?: ((message: string, error?: unknown) => void) | undefined },
): Promise<{ contacts: number; calls: number }> {
  const contacts = o.presence.contactsOf(w.extension, w.deviceId ?? undefined);
  // Read before the contacts go: the dialogs name them.
  const listed = await o.rpc('dlg.list');
  if (w.deviceId === null) {
    await o.rpc('ul.rm', 'location', `s:${w.extension}`);
  } else {
    for (const contact of contacts) await o.rpc('ul.rm_contact', 'location', `s:${w.extension}`, `s:${contact}`);
  }
  if (contacts.length > 0) o.presence.removed(w.extension, contacts);
  let calls = 0;
  for (const d of parseDialogs(listed ?? '')) {
    if (!d.contacts.some((c) => contacts.some((k) => samePhone(c, k)))) continue;
    const out = await o.rpc('dlg.end_dlg', d.hEntry, d.hId);
    if (out !== null && !out.startsWith('error')) calls += 1;
  }
  if (listed === null) o.log?.('The proxy did not answer: calls going on of a withdrawn phone were not ended');
  return { contacts: contacts.length, calls };
}
