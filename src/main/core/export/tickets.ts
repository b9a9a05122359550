import { randomBytes } from 'node:crypto';
import type { Session } from '../api/context';
import type { ExportFilter, ExportKind } from './csvExport';

/**
 * One-time export tickets. The console asks for one over its authenticated
 * API connection (exports.prepare); the host then streams the file for it:
 * the desktop app to a file the user chose, the browser host as a download
 * on GET /export/<ticket>. A ticket is a random secret bound to the session
 * that asked for it, used once and short-lived: a link cannot be forged,
 * replayed or used from another session (the browser host also requires
 * that session's SameSite=Strict cookie), so a download needs no trust in
 * the URL beyond the ticket. Who the rows are for is always the session's
 * user, resolved again for every page.
 */
export interface Ticket<K extends ExportKind = ExportKind> {
  session: Session;
  kind: K;
  filter: ExportFilter[K];
  filename: string;
  expiresAt: number;
}

export const TICKET_TTL_MS = 60_000;
const tickets = new Map<string, Ticket>();

function prune(now: number) {
  for (const [token, t] of tickets) if (t.expiresAt <= now) tickets.delete(token);
}

/** Expiry runs on the real clock, whatever clock the core is given. */
export function issueTicket(
  ticket: Omit<Ticket, 'expiresAt'>,
  now: number = Date.now(),
): { token: string; expiresAt: number } {
  prune(now);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + TICKET_TTL_MS;
  tickets.set(token, { ...ticket, expiresAt } as Ticket);
  return { token, expiresAt };
}

/** The ticket, removed so it cannot serve twice; null when unknown or expired. */
export function takeTicket(token: unknown, now: number = Date.now()): Ticket | null {
  if (typeof token !== 'string') return null;
  const t = tickets.get(token);
  if (!t) return null;
  tickets.delete(token);
  return t.expiresAt > now ? t : null;
}
