import { formatE164 } from '../../../shared/phone';

export { formatE164 };

export const formatPhone = (n: string | null | undefined): string =>
  n ? (n.startsWith('+') ? formatE164(n) : `Ext. ${n}`) : '—';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', year: 'numeric' });

export const formatDateTime = (ms: number) => dateTime.format(ms);

/** "10:42", "Mon, Nov 2" or a full date, depending on how long ago. */
export function formatWhen(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const n = new Date(now);
  if (d.toDateString() === n.toDateString()) return time.format(d);
  if (now - ms < 6 * 86_400_000) return `${weekday.format(d)} ${time.format(d)}`;
  return shortDate.format(d);
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || seconds < 0) return '—';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
    : `${m}:${String(s).padStart(2, '0')}`;
}

export { accessLabel, roleLabel } from '../../../shared/labels';

export const accessHelp = {
  personal: 'Only calls, voicemails and messages they took part in.',
  group: 'Also everything that landed in a group they belong to.',
  callflow: 'Also everything that went through a call flow they are part of.',
  numbers: 'Also everything on the chosen business numbers, in any flow or group.',
  all: 'Everything in the account.',
} as const;
