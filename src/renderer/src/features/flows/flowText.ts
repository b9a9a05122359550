import type { FlowStep } from '../../../../shared/api/entities';
import { sortKeys, type StepKind } from './flowModel';

/** Names of the groups and people a flow mentions, as this user can see them. */
export interface FlowNames {
  group: (id: number) => string | null;
  user: (id: number) => string | null;
  /** How many people a group has (null when it is unknown or gone): a ring step to an empty group rings nobody. */
  members?: (groupId: number) => number | null;
}

export const kindLabel: Record<StepKind, string> = {
  greeting: 'Greeting',
  hours: 'Business hours',
  menu: 'Menu',
  ring_group: 'Ring a group',
  ring_user: 'Ring a person',
  voicemail: 'Voicemail',
};

export const kindHelp: Record<StepKind, string> = {
  greeting: 'Plays a message, then goes on to the next step.',
  hours:
    'Outside the opening hours the caller takes the “When closed” branch; inside them the call goes on to the next step.',
  menu: 'Plays a prompt; the key the caller presses picks a branch. Each branch has its own steps.',
  ring_group: 'Rings everyone in a calling group at once.',
  ring_user: 'Rings one team member.',
  voicemail: 'Takes a message. The call ends here.',
};

/** Sunday is 0, as the API stores it; weeks are shown Monday first. */
export const dayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export const weekOrder = [1, 2, 3, 4, 5, 6, 0] as const;

export function keyLabel(key: string): string {
  if (key === 'timeout') return 'No input';
  if (key === 'closed') return 'When closed';
  return `Press ${key}`;
}

/** Short form of a menu key for one-line paths: "1", "no input". */
const keyShort = (key: string) => (key === 'timeout' ? 'no input' : key);

const quote = (text: string | undefined, max = 60) => {
  const t = (text ?? '').trim();
  if (!t) return null;
  return `“${t.length > max ? `${t.slice(0, max - 1)}…` : t}”`;
};

/** "Mon–Fri 09:00–17:00 · Sat 10:00–14:00", or "Closed all week". */
export function hoursSummary(open: FlowStep['open']): string {
  const perDay = new Map<number, string>();
  for (const d of weekOrder) {
    const ranges = (open ?? []).filter((r) => r.day === d).sort((a, b) => a.from.localeCompare(b.from));
    perDay.set(d, ranges.map((r) => `${r.from}–${r.to}`).join(', '));
  }
  const runs: { first: number; last: number; text: string }[] = [];
  for (const d of weekOrder) {
    const text = perDay.get(d) ?? '';
    const prev = runs[runs.length - 1];
    if (prev && prev.text === text) prev.last = d;
    else runs.push({ first: d, last: d, text });
  }
  const parts = runs
    .filter((r) => r.text)
    .map((r) => `${dayNames[r.first]}${r.first === r.last ? '' : `–${dayNames[r.last]}`} ${r.text}`);
  return parts.length > 0 ? parts.join(' · ') : 'Closed all week';
}

const ring = (s: FlowStep) => (s.ringSeconds ? ` (${s.ringSeconds}\u00a0s)` : '');

function who(s: FlowStep, names: FlowNames): string | null {
  if (s.groupId !== undefined) return names.group(s.groupId) ?? 'a removed group';
  if (s.userId !== undefined) return names.user(s.userId) ?? 'a removed or deactivated person';
  return null;
}

/** One readable line for a step, as it appears in the flow. */
export function describeStep(s: FlowStep, names: FlowNames): string {
  switch (s.kind) {
    case 'greeting':
      return `Greeting ${quote(s.text) ?? '(no message yet)'}`;
    case 'hours':
      return `Business hours: ${hoursSummary(s.open)}${s.timezone ? ` (${s.timezone.replace(/_/g, ' ')})` : ''}`;
    case 'menu': {
      const keys = (s.branches ?? []).map((b) => keyShort(b.key));
      return `Menu${keys.length ? `: ${keys.join(', ')}` : ' (no keys yet)'}`;
    }
    case 'ring_group':
      return s.groupId === undefined ? 'Ring a group (choose one)' : `Ring ${who(s, names)}${ring(s)}`;
    case 'ring_user':
      return s.userId === undefined ? 'Ring a person (choose one)' : `Ring ${who(s, names)}${ring(s)}`;
    case 'voicemail': {
      const box = who(s, names);
      return box ? `Voicemail for ${box}` : 'Voicemail (shared mailbox)';
    }
  }
}

/** The compact label of a step inside a one-line path. */
function pathLabel(s: FlowStep, names: FlowNames): string {
  if (s.kind === 'greeting') return 'Greeting';
  return describeStep(s, names);
}

export interface CallPath {
  parts: string[];
  /** The path ends in a voicemail (true) or simply runs out of steps (false). */
  voicemail: boolean;
}

/**
 * Every way a call can go through the flow, as one line each:
 * "Greeting → Menu: 1 → Ring Sales (30 s) → Voicemail for Sales".
 * A branch that runs out of steps ends the call; steps after a menu or a
 * voicemail are never reached (flowCheck warns about them).
 */
export function callPaths(steps: readonly FlowStep[], names: FlowNames, limit = 40): CallPath[] {
  const out: CallPath[] = [];
  const walk = (list: readonly FlowStep[], prefix: string[]) => {
    if (out.length >= limit) return;
    const parts = [...prefix];
    for (let i = 0; i < list.length; i++) {
      const s = list[i] as FlowStep;
      if (s.kind === 'voicemail') {
        out.push({ parts: [...parts, pathLabel(s, names)], voicemail: true });
        return;
      }
      if (s.kind === 'menu') {
        if ((s.branches ?? []).length === 0) break;
        for (const b of s.branches ?? []) walk(b.steps, [...parts, `Menu: ${keyShort(b.key)}`]);
        return;
      }
      if (s.kind === 'hours') {
        const closed = s.branches?.find((b) => b.key === 'closed')?.steps ?? [];
        walk(list.slice(i + 1), [...parts, 'Business hours: open']);
        walk(closed, [...parts, 'Business hours: closed']);
        return;
      }
      parts.push(pathLabel(s, names));
    }
    out.push({ parts, voicemail: false });
  };
  walk(steps, []);
  return out;
}

export interface OutlineLine {
  depth: number;
  text: string;
}

/** The flow as an indented outline, one line per step or branch: for showing a flow as text (the audit log). */
export function flowOutline(steps: readonly FlowStep[], names: FlowNames): OutlineLine[] {
  const out: OutlineLine[] = [];
  const walk = (list: readonly FlowStep[], depth: number) => {
    for (const s of list) {
      out.push({ depth, text: describeStep(s, names) });
      for (const b of sortKeys(s.branches ?? [])) {
        out.push({ depth: depth + 1, text: `${keyLabel(b.key)}:${b.steps.length === 0 ? ' the call ends' : ''}` });
        walk(b.steps, depth + 2);
      }
    }
  };
  walk(steps, 0);
  return out;
}
