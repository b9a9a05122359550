import type { OutlineLine } from '../flows/flowText';

/** One changed field of an audit event: where it is, and its value before and after (undefined = absent). */
export interface Change {
  key: string;
  before: unknown;
  after: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> | unknown[] => v !== null && typeof v === 'object';

/** Flattens nested objects into dotted keys; arrays of plain values stay whole ("1, 2, 3" reads better than three rows). */
function flatten(v: unknown, prefix: string, out: Map<string, unknown>): void {
  if (!isObject(v) || (Array.isArray(v) && v.every((x) => !isObject(x)))) {
    out.set(prefix, v);
    return;
  }
  const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
  if (entries.length === 0) {
    out.set(prefix, v);
    return;
  }
  for (const [k, x] of entries) flatten(x, prefix ? `${prefix}.${k}` : k, out);
}

/** The fields that differ between `before` and `after` (all of them when one side is missing). */
export function changes(before: unknown, after: unknown): Change[] {
  const b = new Map<string, unknown>();
  const a = new Map<string, unknown>();
  if (before !== null && before !== undefined) flatten(before, '', b);
  if (after !== null && after !== undefined) flatten(after, '', a);
  const keys = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
  return keys
    .filter((k) => JSON.stringify(b.get(k)) !== JSON.stringify(a.get(k)))
    .map((k) => ({ key: k, before: b.get(k), after: a.get(k) }));
}

/** "settings.logCalls" → "settings › log calls"; "steps.1.text" → "steps › 2 › text". */
export function fieldLabel(key: string): string {
  if (!key) return 'value';
  return key
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? `#${Number(part) + 1}` : part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()))
    .join(' › ');
}

export function formatValue(v: unknown): string {
  if (v === undefined) return '—';
  if (v === null) return 'none';
  if (typeof v === 'string') return v === '' ? '(empty)' : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map((x) => formatValue(x)).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Indexes of the lines both outlines share, in order (longest common subsequence): the rest were removed, added or moved. */
export function keptLines(a: readonly OutlineLine[], b: readonly OutlineLine[]): { before: Set<number>; after: Set<number> } {
  const key = (l: OutlineLine) => `${l.depth}|${l.text}`;
  const x = a.map(key);
  const y = b.map(key);
  const w = y.length + 1;
  // len[i * w + j]: length of the common subsequence of x[i..] and y[j..].
  const len = new Int32Array((x.length + 1) * w);
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      len[i * w + j] = x[i] === y[j] ? (len[(i + 1) * w + j + 1] ?? 0) + 1 : Math.max(len[(i + 1) * w + j] ?? 0, len[i * w + j + 1] ?? 0);
  const before = new Set<number>();
  const after = new Set<number>();
  for (let i = 0, j = 0; i < x.length && j < y.length; ) {
    if (x[i] === y[j]) {
      before.add(i++);
      after.add(j++);
    } else if ((len[(i + 1) * w + j] ?? 0) >= (len[i * w + j + 1] ?? 0)) i++;
    else j++;
  }
  return { before, after };
}
