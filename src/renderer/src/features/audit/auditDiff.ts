import type { AuditNames } from '../../../../shared/api/contract';
import { accessLabel, permissionLabel, roleLabel } from '../../../../shared/labels';
import { formatE164 } from '../../../../shared/phone';
import type { CallAccessLevel, ManagerPermission, Role } from '../../../../shared/primitives';
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

/** The screens' words for the fields access events record. */
const fieldWords: Record<string, string> = {
  role: 'Role',
  callAccess: 'Call access',
  scopeBnIds: 'Business numbers in their call access',
  outboundCallBnIds: 'Outbound call numbers',
  smsBnIds: 'SMS numbers',
  defaultBnId: 'Default caller ID',
  managerPermissions: 'Manager permissions',
  memberIds: 'Members',
  callFlowId: 'Call flow',
  ownerUserId: 'Owner',
  bnIds: 'Business numbers',
  e164: 'Number',
  timezone: 'Time zone',
};

const words = (part: string) => fieldWords[part] ?? part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** "settings.logCalls" → "settings › log calls"; "steps.1.text" → "steps › #2 › text"; "outboundCallBnIds" → "Outbound call numbers". */
export function fieldLabel(key: string): string {
  if (!key) return 'value';
  const label = key
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? `#${Number(part) + 1}` : words(part)))
    .join(' › ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

const refKind: Record<string, keyof AuditNames> = {
  bnId: 'numbers',
  bnIds: 'numbers',
  scopeBnIds: 'numbers',
  outboundCallBnIds: 'numbers',
  smsBnIds: 'numbers',
  defaultBnId: 'numbers',
  userId: 'users',
  memberIds: 'users',
  ownerUserId: 'users',
  groupId: 'groups',
  groupIds: 'groups',
  callFlowId: 'callFlows',
};

/** An id as the screens name it; the main process read the names with the page. */
function nameOf(kind: keyof AuditNames, id: number, names: AuditNames): string {
  switch (kind) {
    case 'numbers': {
      const n = names.numbers[id];
      if (!n) return 'a number no longer on record';
      return `${n.formatted}${n.label ? ` · ${n.label}` : ''}${n.released ? ' — released' : ''}`;
    }
    case 'users': {
      const u = names.users[id];
      return u ? `${u.name} (${u.extension})${u.active ? '' : ' — deactivated'}` : 'someone no longer on record';
    }
    case 'groups': {
      const g = names.groups[id];
      return g ? `${g.name}${g.deleted ? ' — deleted' : ''}` : 'a group no longer on record';
    }
    case 'callFlows': {
      const f = names.callFlows[id];
      return f ? `${f.name}${f.deleted ? ' — deleted' : ''}` : 'a call flow no longer on record';
    }
  }
}

export const noNames: AuditNames = { numbers: {}, users: {}, groups: {}, callFlows: {} };

/** A field's value in people's words: numbers, people, groups and flows by name, roles and levels by their labels. */
export function formatValue(v: unknown, key = '', names: AuditNames = noNames): string {
  if (v === undefined) return '—';
  const field =
    key
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .at(-1) ?? '';
  const kind = refKind[field];
  if (kind && (typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')))) {
    const ids = Array.isArray(v) ? (v as number[]) : [v];
    return ids.length === 0 ? '(none)' : ids.map((id) => nameOf(kind, id, names)).join(', ');
  }
  if (field === 'role' && typeof v === 'string' && v in roleLabel) return roleLabel[v as Role];
  if (field === 'callAccess' && typeof v === 'string' && v in accessLabel) return accessLabel[v as CallAccessLevel];
  if (field === 'managerPermissions' && Array.isArray(v)) {
    return v.length === 0 ? '(none)' : v.map((p) => permissionLabel[p as ManagerPermission] ?? String(p)).join('; ');
  }
  if (field === 'e164' && typeof v === 'string') return formatE164(v);
  if (v === null) return 'none';
  if (typeof v === 'string') return v === '' ? '(empty)' : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map((x) => formatValue(x)).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Indexes of the lines both outlines share, in order (longest common subsequence): the rest were removed, added or moved. */
export function keptLines(
  a: readonly OutlineLine[],
  b: readonly OutlineLine[],
): { before: Set<number>; after: Set<number> } {
  const key = (l: OutlineLine) => `${l.depth}|${l.text}`;
  const x = a.map(key);
  const y = b.map(key);
  const w = y.length + 1;
  // len[i * w + j]: length of the common subsequence of x[i..] and y[j..].
  const len = new Int32Array((x.length + 1) * w);
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      len[i * w + j] =
        x[i] === y[j]
          ? (len[(i + 1) * w + j + 1] ?? 0) + 1
          : Math.max(len[(i + 1) * w + j] ?? 0, len[i * w + j + 1] ?? 0);
  const before = new Set<number>();
  const after = new Set<number>();
  for (let i = 0, j = 0; i < x.length && j < y.length;) {
    if (x[i] === y[j]) {
      before.add(i++);
      after.add(j++);
    } else if ((len[(i + 1) * w + j] ?? 0) >= (len[i * w + j + 1] ?? 0)) i++;
    else j++;
  }
  return { before, after };
}
