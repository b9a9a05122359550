import type { FlowStep } from '../../../../shared/api/entities';

/**
 * A call flow's steps form a tree: a menu's keys and a business-hours step's
 * "closed" branch each hold their own list of steps. A step is addressed by
 * its path: [index, branchKey, index, branchKey, …, index]; a list of steps
 * by the same path without the last index ([] is the top level).
 */
export type StepKind = FlowStep['kind'];
export type StepPath = readonly (number | string)[];

/** The order the "Add step" menu offers them in. */
export const stepKinds: readonly StepKind[] = ['greeting', 'hours', 'menu', 'ring_group', 'ring_user', 'voicemail'];

/** The contract's limits (callFlows.create / update). */
export const MAX_TOP_STEPS = 30;
export const MAX_BRANCH_STEPS = 20;
export const MENU_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#', 'timeout'] as const;

export const samePath = (a: StepPath, b: StepPath | null) =>
  b !== null && a.length === b.length && a.every((s, i) => s === b[i]);
export const pathKey = (p: StepPath) => p.join('/');
/** Paths alternate index, branch key, index…: so "1/1/0" is step 0 under key "1" of step 1. */
export const parsePathKey = (k: string): StepPath =>
  k === '' ? [] : k.split('/').map((s, i) => (i % 2 === 0 ? Number(s) : s));

/** Where `selected` is after the step at `from` moved to `to` (it may be that step, inside it, or the sibling it swapped with). */
export function movedPath(selected: StepPath, from: StepPath, to: StepPath): StepPath {
  const under = (p: StepPath, prefix: StepPath) => prefix.length <= p.length && prefix.every((s, i) => s === p[i]);
  if (under(selected, from)) return [...to, ...selected.slice(from.length)];
  if (under(selected, to)) return [...from, ...selected.slice(to.length)];
  return selected;
}

/** The step at `path`, if there is one. */
export function stepAt(steps: readonly FlowStep[], path: StepPath): FlowStep | undefined {
  const [i, key, ...rest] = path;
  const step = typeof i === 'number' ? steps[i] : undefined;
  if (!step || key === undefined) return step;
  const branch = step.branches?.find((b) => b.key === key);
  return branch ? stepAt(branch.steps, rest) : undefined;
}

/** The list of steps at `listPath`. */
export function listAt(steps: readonly FlowStep[], listPath: StepPath): readonly FlowStep[] | undefined {
  if (listPath.length === 0) return steps;
  const [i, key, ...rest] = listPath;
  const step = typeof i === 'number' ? steps[i] : undefined;
  const branch = step?.branches?.find((b) => b.key === key);
  return branch ? listAt(branch.steps, rest) : undefined;
}

/** Returns a new tree with the list at `listPath` replaced by `fn(list)`. */
export function mapList(
  steps: readonly FlowStep[],
  listPath: StepPath,
  fn: (list: FlowStep[]) => FlowStep[],
): FlowStep[] {
  if (listPath.length === 0) return fn([...steps]);
  const [i, key, ...rest] = listPath;
  return steps.map((s, j) =>
    j !== i
      ? s
      : {
          ...s,
          branches: (s.branches ?? []).map((b) => (b.key !== key ? b : { ...b, steps: mapList(b.steps, rest, fn) })),
        },
  );
}

const split = (path: StepPath) => ({ list: path.slice(0, -1), index: path[path.length - 1] as number });

export function updateStep(steps: readonly FlowStep[], path: StepPath, fn: (s: FlowStep) => FlowStep): FlowStep[] {
  const { list, index } = split(path);
  return mapList(steps, list, (l) => l.map((s, j) => (j === index ? fn(s) : s)));
}

export function removeStep(steps: readonly FlowStep[], path: StepPath): FlowStep[] {
  const { list, index } = split(path);
  return mapList(steps, list, (l) => l.filter((_, j) => j !== index));
}

/** Moves a step up (-1) or down (+1) within its own list; returns the new tree and the step's new path. */
export function moveStep(
  steps: readonly FlowStep[],
  path: StepPath,
  delta: -1 | 1,
): { steps: FlowStep[]; path: StepPath } {
  const { list, index } = split(path);
  const target = index + delta;
  const next = mapList(steps, list, (l) => {
    if (target < 0 || target >= l.length) return l;
    const copy = [...l];
    [copy[index], copy[target]] = [copy[target] as FlowStep, copy[index] as FlowStep];
    return copy;
  });
  const length = listAt(steps, list)?.length ?? 0;
  return { steps: next, path: target < 0 || target >= length ? path : [...list, target] };
}

export function appendStep(
  steps: readonly FlowStep[],
  listPath: StepPath,
  step: FlowStep,
): { steps: FlowStep[]; path: StepPath } {
  const length = listAt(steps, listPath)?.length ?? 0;
  return { steps: mapList(steps, listPath, (l) => [...l, step]), path: [...listPath, length] };
}

/** A new step of `kind`, filled in with sensible defaults. */
export function newStep(kind: StepKind, defaults: { timezone: string }): FlowStep {
  switch (kind) {
    case 'greeting':
      return { kind, text: '' };
    case 'hours':
      return {
        kind,
        timezone: defaults.timezone,
        open: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:00' })),
        branches: [{ key: 'closed', steps: [] }],
      };
    case 'menu':
      return {
        kind,
        text: '',
        branches: [
          { key: '1', steps: [] },
          { key: '2', steps: [] },
        ],
      };
    case 'ring_group':
      return { kind, groupId: undefined, ringSeconds: 30 };
    case 'ring_user':
      return { kind, userId: undefined, ringSeconds: 30 };
    case 'voicemail':
      return { kind, text: '' };
  }
}

/**
 * The step as the API accepts it: only the fields its kind has (the schema is
 * strict), text trimmed, and a business-hours step always with its closed branch.
 */
export function cleanStep(s: FlowStep): FlowStep {
  const steps = (l: FlowStep[]) => l.map(cleanStep);
  switch (s.kind) {
    case 'greeting':
      return { kind: s.kind, text: (s.text ?? '').trim() };
    case 'hours':
      return {
        kind: s.kind,
        timezone: s.timezone ?? '',
        open: [...(s.open ?? [])].sort((a, b) => a.day - b.day || a.from.localeCompare(b.from)),
        branches: [{ key: 'closed', steps: steps(s.branches?.find((b) => b.key === 'closed')?.steps ?? []) }],
      };
    case 'menu':
      return {
        kind: s.kind,
        text: (s.text ?? '').trim(),
        branches: (s.branches ?? []).map((b) => ({ key: b.key, steps: steps(b.steps) })),
      };
    case 'ring_group':
      return { kind: s.kind, groupId: s.groupId, ringSeconds: s.ringSeconds ?? 30 };
    case 'ring_user':
      return { kind: s.kind, userId: s.userId, ringSeconds: s.ringSeconds ?? 30 };
    case 'voicemail':
      return {
        kind: s.kind,
        text: (s.text ?? '').trim(),
        ...(s.groupId !== undefined ? { groupId: s.groupId } : {}),
        ...(s.userId !== undefined ? { userId: s.userId } : {}),
      };
  }
}

/** Menu keys in the order people read them: 1–9, 0, *, #, then "no input". */
export const sortKeys = <T extends { key: string }>(branches: readonly T[]): T[] =>
  [...branches].sort((a, b) => MENU_KEYS.indexOf(a.key as never) - MENU_KEYS.indexOf(b.key as never));
