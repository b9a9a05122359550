import type { CallRow } from '../../../../shared/api/entities';
import { callRows } from '../../store/repos/calls';
import type { Handlers } from '../handler';
import { callKeys } from './calls';

/** An export holds at most this many calls; narrow the filter for more. */
export const EXPORT_LIMIT = 10_000;
const PAGE = 500;

export const callColumns: [string, (c: CallRow) => string | number | null][] = [
  ['Started (UTC)', (c) => new Date(c.startedAt).toISOString()],
  ['Direction', (c) => c.direction],
  ['Result', (c) => c.result],
  ['Business number', (c) => c.bnE164],
  ['Other party', (c) => c.externalNumber],
  ['Contact', (c) => c.contactName],
  ['Call flow', (c) => c.callFlowName],
  ['Group', (c) => c.groupName],
  ['Team members', (c) => c.participants.map((p) => `${p.name} (${p.extension}, ${p.role})`).join('; ')],
  ['Ring seconds', (c) => (c.answeredAt ? Math.round((c.answeredAt - c.startedAt) / 1000) : null)],
  ['Talk seconds', (c) => (c.answeredAt && c.endedAt ? Math.round((c.endedAt - c.answeredAt) / 1000) : null)],
  ['Voicemail', (c) => (c.hasVoicemail ? 'yes' : 'no')],
  ['Call id', (c) => c.id],
];

/** RFC 4180 quoting, and no formula injection when opened in a spreadsheet. */
export function cell(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s) && !/^\+\d+$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const callsExportHandlers: Handlers<'calls.export'> = {
  /** The filtered calls list as CSV: the same query as the list, so exactly what the actor may see. */
  'calls.export': (ctx, filter) => {
    const lines = [callColumns.map(([name]) => cell(name)).join(',')];
    let cursor: string | undefined;
    let rows = 0;
    let truncated = false;
    for (let i = 0; i < EXPORT_LIMIT / PAGE; i++) {
      const { page, nextCursor } = callKeys(ctx, { ...filter, limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const c of callRows(ctx.db, page.map((r) => r.id))) lines.push(callColumns.map(([, get]) => cell(get(c))).join(','));
      rows += page.length;
      if (!nextCursor) break;
      cursor = nextCursor;
      truncated = i === EXPORT_LIMIT / PAGE - 1;
    }
    const day = new Date(ctx.now()).toISOString().slice(0, 10);
    return { filename: `calls-${day}.csv`, csv: `${lines.join('\r\n')}\r\n`, rows, truncated };
  },
};
