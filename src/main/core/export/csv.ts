import type { CallAnnotations } from '../../../shared/api/callReview';
import type { CallRow } from '../../../shared/api/entities';

/** The calls export's columns, in order: what the list row shows, one cell each. */
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

/**
 * The calls export's columns: the list row's, and the call's tags and notes
 * (callAnnotations.list, checked like the call itself) before its id, which
 * stays last.
 */
export const callExportColumns: [string, (c: CallRow, a: CallAnnotations) => string | number | null][] = [
  ...callColumns.slice(0, -1).map(([name, get]): [string, (c: CallRow) => string | number | null] => [name, get]),
  ['Tags', (_c, a) => a.tags.map((t) => t.name).join('; ')],
  [
    'Notes',
    (_c, a) => a.notes.map((n) => `${n.authorName} (${new Date(n.createdAt).toISOString()}): ${n.body}`).join('\n'),
  ],
  callColumns[callColumns.length - 1]!,
];

/** A piece of text a spreadsheet would read as a formula (OWASP "CSV injection"); a plain number or E.164 is data. */
const formulaLike = (piece: string) => /^\s*[=+\-@\t\r]/.test(piece) && !/^[+-]?\d+(\.\d+)?$/.test(piece);

/**
 * Text that needs neither quote doubling nor a formula guard (most cells: times, names, E.164
 * numbers), so an export of a million rows skips the general path below for them.
 */
const PLAIN = /^(?:[^\s=+\-@,;"][^\t\r,;"]*|\+\d+)?$/;

/**
 * One CSV cell, safe in any spreadsheet: every cell is quoted (RFC 4180), so
 * a spreadsheet that splits on `;` (European locales) or on tabs keeps a cell
 * whole; and a `'` goes before any piece that would start a formula — the
 * cell itself, and each piece after a `,`, `;` or tab in it, for a reader that
 * splits without honouring quotes. `Acme;=cmd|' /C calc'!A0` stays text.
 */
export function cell(value: string | number | null): string {
  if (value === null) return '""';
  if (typeof value === 'number' || PLAIN.test(value)) return `"${value}"`;
  const s = String(value)
    .split(/(?<=[,;\t])/)
    .map((piece) => (formulaLike(piece) ? `'${piece}` : piece))
    .join('');
  return `"${s.replace(/"/g, '""')}"`;
}

/** A cell whose text is known to need no quoting or guard (a time, a word of the API's enums, a count). */
const safe = (value: string | number) => `"${value}"`;
const opt = (value: string | null) => (value === null ? '""' : cell(value));
const iso = (t: number) => new Date(t).toISOString();

/**
 * One row of the calls export, exactly `callExportColumns` joined as CSV,
 * written without the per-row arrays and closures of the column list: an
 * export of a million rows spends a large share of its time here.
 */
export function callLine(c: CallRow, a: CallAnnotations): string {
  let team = '';
  for (let i = 0; i < c.participants.length; i++) {
    const p = c.participants[i]!;
    team += `${i ? '; ' : ''}${p.name} (${p.extension}, ${p.role})`;
  }
  let tags = '';
  for (let i = 0; i < a.tags.length; i++) tags += `${i ? '; ' : ''}${a.tags[i]!.name}`;
  let notes = '';
  for (let i = 0; i < a.notes.length; i++) {
    const n = a.notes[i]!;
    notes += `${i ? '\n' : ''}${n.authorName} (${iso(n.createdAt)}): ${n.body}`;
  }
  const ring = c.answeredAt ? safe(Math.round((c.answeredAt - c.startedAt) / 1000)) : '""';
  const talk = c.answeredAt && c.endedAt ? safe(Math.round((c.endedAt - c.answeredAt) / 1000)) : '""';
  return (
    `${safe(iso(c.startedAt))},${safe(c.direction)},${safe(c.result)},${opt(c.bnE164)},${opt(c.externalNumber)},` +
    `${opt(c.contactName)},${opt(c.callFlowName)},${opt(c.groupName)},${cell(team)},${ring},${talk},` +
    `${c.hasVoicemail ? '"yes"' : '"no"'},${cell(tags)},${cell(notes)},${safe(c.id)}\r\n`
  );
}

/**
 * The same line as callLine, from a row of the export's page statement
 * (export/callExport.ts: started, direction, result, BN, other party,
 * contact, flow, group, team, answered, ended, voicemail, id) and the call's
 * tags and notes already joined: an export of a million rows builds no call
 * object. `test/integration/csv-line.test.ts` checks the two agree.
 */
export function callRawLine(r: readonly unknown[], tags: string, notes: string): string {
  const started = r[0] as number;
  const answered = r[9] as number | null;
  const ended = r[10] as number | null;
  const ring = answered ? safe(Math.round((answered - started) / 1000)) : '""';
  const talk = answered && ended ? safe(Math.round((ended - answered) / 1000)) : '""';
  return (
    `${safe(iso(started))},${safe(r[1] as string)},${safe(r[2] as string)},${opt(r[3] as string | null)},${opt(r[4] as string | null)},` +
    `${opt(r[5] as string | null)},${opt(r[6] as string | null)},${opt(r[7] as string | null)},${cell((r[8] as string | null) ?? '')},${ring},${talk},` +
    `${r[11] === 1 ? '"yes"' : '"no"'},${cell(tags)},${cell(notes)},${safe(r[12] as number)}\r\n`
  );
}
