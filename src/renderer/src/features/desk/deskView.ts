import type { DeskStatus } from '../../../../shared/api/desk';
import { JoinLinkError, parseJoinLink } from '../../../../shared/joinLink';

/**
 * What the first-run chooser and the connection banner show, kept apart from
 * the components so it is tested on its own.
 */

/** A pasted invitation: its server, or the reason it is not one (checked again by the main process). */
export function readLink(text: string): { ok: true; server: string } | { ok: false; message: string } {
  if (!text.trim()) return { ok: false, message: 'Paste the invitation link your administrator sent you.' };
  try {
    return { ok: true, server: parseJoinLink(text).server };
  } catch (error) {
    return { ok: false, message: error instanceof JoinLinkError ? error.message : 'This is not an invitation link.' };
  }
}

/** `AA:BB:…` in groups of four bytes, one line for each half, so that two fingerprints can be compared by eye. */
export function fingerprintLines(fingerprint: string): string[] {
  const bytes = fingerprint.toUpperCase().split(':');
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) groups.push(bytes.slice(i, i + 4).join(':'));
  const half = Math.ceil(groups.length / 2);
  return [groups.slice(0, half).join('  '), groups.slice(half).join('  ')].filter(Boolean);
}

export interface Banner {
  tone: 'warning' | 'error';
  title: string;
  message: string;
  /** Refusals are alerts; a reconnect is a polite status. */
  urgent: boolean;
}

/** The banner over the console for the connection's state; null while all is well. */
export function bannerFor(status: DeskStatus | null): Banner | null {
  if (!status) return null;
  switch (status.state) {
    case 'online':
    case 'connecting':
      return null;
    case 'reconnecting':
      return {
        tone: 'warning',
        title: 'Reconnecting…',
        message: `The connection to ${status.server} was lost. Teamline tries again in ${status.retryInSeconds} s; calls and changes wait until it is back.`,
        urgent: false,
      };
    case 'refused':
      return { tone: 'error', title: 'Not connected to your team', message: status.reason, urgent: true };
  }
}
