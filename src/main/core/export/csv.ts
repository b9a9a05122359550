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
export function callRawLine(
  r: readonly unknown[],
  tags: string,
  notes: string,
  /** How a text cell is written: `cell` (null as empty), or a memo of it (export/callExport.ts). */
  text: (value: string | null) => string = opt,
): string {
  const started = r[0] as number;
  const answered = r[9] as number | null;
  const ended = r[10] as number | null;
  const ring = answered ? safe(Math.round((answered - started) / 1000)) : '""';
  const talk = answered && ended ? safe(Math.round((ended - answered) / 1000)) : '""';
  return (
    `"${isoTime(started)}",${safe(r[1] as string)},${safe(r[2] as string)},${text(r[3] as string | null)},${text(r[4] as string | null)},` +
    `${text(r[5] as string | null)},${text(r[6] as string | null)},${text(r[7] as string | null)},${text(r[8] as string | null)},${ring},${talk},` +
    `${r[11] === 1 ? '"yes"' : '"no"'},${text(tags)},${text(notes)},${safe(r[12] as number)}\r\n`
  );
}

/**
 * `cell` remembered per value, for the texts a long export repeats (names,
 * numbers, teams, empty tags): up to `bound` values, then it starts again.
 */
export function cellMemo(bound = 50_000): (value: string | null) => string {
  const seen = new Map<string, string>();
  return (value) => {
    if (value === null) return '""';
    let out = seen.get(value);
    if (out === undefined) {
      if (seen.size >= bound) seen.clear();
      out = cell(value);
      seen.set(value, out);
    }
    return out;
  };
}

const DAY = 86_400_000;
const pad2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const pad3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let isoDay = Number.NaN;
let isoDate = '';

/**
 * `new Date(t).toISOString()` for the times of years 1970–9999, the date part
 * kept from the previous call (an export's rows come in time order): a
 * million rows' times without a million Date objects.
 */
export function isoTime(t: number): string {
  if (!(t >= 0 && t < 253_402_300_800_000) || !Number.isInteger(t)) return new Date(t).toISOString();
  const day = Math.floor(t / DAY);
  if (day !== isoDay) {
    isoDay = day;
    isoDate = new Date(day * DAY).toISOString().slice(0, 11);
  }
  let rest = t - day * DAY;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  return `${isoDate}${pad2[h]}:${pad2[m]}:${pad2[sec]}.${pad3[rest - sec * 1000]}Z`;
}
