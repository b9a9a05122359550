import type { FlowStep } from '../../../../shared/api/entities';
import { MAX_BRANCH_STEPS, MAX_TOP_STEPS, pathKey, type StepPath } from './flowModel';
import type { FlowNames } from './flowText';

/** Field problems by step (pathKey) and field name, shown under that step's inputs. */
export type StepErrors = Record<string, Record<string, string>>;

export interface FlowCheck {
  errors: StepErrors;
  /** Things that will save but are probably not what the author meant. */
  warnings: Record<string, string>;
  count: number;
}

const validTime = (t: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(t);

const emptyGroupWarning = (group: string) =>
  `${group} has no members: nobody's phone rings at this step. Add people to the group on the Team page, or ring someone else.`;

/** The groups with no members that a flow's ring steps ring, at any depth, by name: the flow list says so. */
export function emptyGroupsRung(steps: readonly FlowStep[], names: FlowNames): string[] {
  const found = new Set<string>();
  const walk = (list: readonly FlowStep[]) => {
    for (const s of list) {
      if (s.kind === 'ring_group' && s.groupId !== undefined && names.members?.(s.groupId) === 0) {
        const name = names.group(s.groupId);
        if (name) found.add(name);
      }
      for (const b of s.branches ?? []) walk(b.steps);
    }
  };
  walk(steps);
  return [...found];
}

/** What the editor can tell before saving; the main process checks everything again. */
export function checkFlow(steps: readonly FlowStep[], names: FlowNames): FlowCheck {
  const errors: StepErrors = {};
  const warnings: Record<string, string> = {};
  let count = 0;
  const add = (path: StepPath, field: string, message: string) => {
    const k = pathKey(path);
    errors[k] = { ...errors[k], [field]: message };
    count++;
  };

  const walk = (list: readonly FlowStep[], at: StepPath) => {
    let endedBy: string | null = null;
    list.forEach((s, i) => {
      const path = [...at, i];
      if (endedBy) warnings[pathKey(path)] = `Callers never reach this step: it comes after ${endedBy}.`;
      switch (s.kind) {
        case 'greeting':
          if (!s.text?.trim()) add(path, 'text', 'Write what callers hear.');
          break;
        case 'menu':
          if (!s.text?.trim()) add(path, 'text', 'Write the menu prompt, e.g. “For Sales press 1.”');
          if ((s.branches ?? []).length === 0) add(path, 'branches', 'Add at least one key.');
          else if (!s.branches?.some((b) => b.key === 'timeout'))
            warnings[pathKey(path)] ??=
              'Callers who press nothing are disconnected: add a “No input” branch to catch them.';
          break;
        case 'hours':
          if (!s.timezone) add(path, 'timezone', 'Choose a time zone.');
          (s.open ?? []).forEach((r) => {
            if (!validTime(r.from) || !validTime(r.to)) add(path, 'open', 'Enter times as HH:MM.');
            else if (r.from >= r.to) add(path, 'open', 'Each closing time must be after its opening time.');
          });
          if ((s.open ?? []).length > 21) add(path, 'open', 'At most 21 opening periods a week.');
          break;
        case 'ring_group':
          if (s.groupId === undefined) add(path, 'groupId', 'Choose a group.');
          else if (!names.group(s.groupId)) add(path, 'groupId', 'This group no longer exists; choose another.');
          else if (names.members?.(s.groupId) === 0)
            warnings[pathKey(path)] ??= emptyGroupWarning(names.group(s.groupId) ?? '');
          break;
        case 'ring_user':
          if (s.userId === undefined) add(path, 'userId', 'Choose a person.');
          else if (!names.user(s.userId))
            add(path, 'userId', 'This person was removed or deactivated; choose someone else.');
          break;
        case 'voicemail':
          if (s.groupId !== undefined && !names.group(s.groupId))
            add(path, 'box', 'This group no longer exists; choose another mailbox.');
          if (s.userId !== undefined && !names.user(s.userId))
            add(path, 'box', 'This person was removed or deactivated; choose another mailbox.');
          break;
      }
      if (s.kind === 'ring_group' || s.kind === 'ring_user') {
        const secs = s.ringSeconds ?? 30;
        if (!Number.isInteger(secs) || secs < 5 || secs > 300) add(path, 'ringSeconds', 'Ring for 5 to 300 seconds.');
      }
      for (const b of s.branches ?? []) {
        if (b.steps.length > MAX_BRANCH_STEPS)
          add(path, 'branches', `A branch holds at most ${MAX_BRANCH_STEPS} steps.`);
        walk(b.steps, [...path, b.key]);
      }
      if (!endedBy && s.kind === 'voicemail') endedBy = 'a voicemail, which ends the call';
      if (!endedBy && s.kind === 'menu') endedBy = 'a menu (each key has its own steps)';
    });
  };
  walk(steps, []);
  if (steps.length > MAX_TOP_STEPS) count++;
  return { errors, warnings, count };
}

/**
 * Turns the API's field errors ("steps.1.branches.0.steps.0.text") into the
 * editor's (step path "1/0/0", field "text"), so they appear under the input.
 */
export function serverStepErrors(
  fields: Record<string, string>,
  steps: readonly FlowStep[],
): { steps: StepErrors; other: Record<string, string> } {
  const out: StepErrors = {};
  const other: Record<string, string> = {};
  for (const [key, message] of Object.entries(fields)) {
    const tokens = key.split('.');
    if (tokens[0] !== 'steps' || tokens.length < 3) {
      other[key] = message;
      continue;
    }
    let list: readonly FlowStep[] = steps;
    const path: (number | string)[] = [];
    let t = 1;
    let field = '';
    for (;;) {
      const i = Number(tokens[t]);
      const step = list[i];
      path.push(i);
      if (tokens[t + 1] === 'branches' && tokens[t + 3] === 'steps' && step) {
        const branch = step.branches?.[Number(tokens[t + 2])];
        if (branch && tokens[t + 4] !== undefined) {
          path.push(branch.key);
          list = branch.steps;
          t += 4;
          continue;
        }
      }
      field = tokens[t + 1] ?? 'kind';
      break;
    }
    const k = pathKey(path);
    out[k] = { ...out[k], [field]: message };
  }
  return { steps: out, other };
}
