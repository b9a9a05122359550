import type { FlowStep } from '../../shared/api/entities';

/**
 * How a call to a business number goes through its call flow, planned when
 * it arrives:
 *
 * - greeting: spoken to the caller (early media from the media service),
 *   together with the greetings and menu that follow it.
 * - hours: open or closed at the arrival time in the step's time zone;
 *   closed runs the "closed" branch, which ends the flow.
 * - menu: spoken, and the caller's key chooses a branch; no key (or a wrong
 *   one, twice) takes the "no input" (`timeout`) branch, or the first branch
 *   when there is none. A branch ends the flow (steps after a menu are never
 *   reached, as in the editor). Each branch is planned here too.
 * - ring_group / ring_user: one ring step each, in order.
 * - voicemail: ends the flow; the media service speaks its text (after any
 *   greetings before it) and takes a message.
 *
 * Without the media service greetings are not played and a menu takes its
 * no-input branch at once (docs/softphone.md).
 */

export interface MenuOption {
  key: string;
  /** What happens at once when this branch is taken (its business hours). */
  events: PlanEvent[];
  steps: RingStep[];
}

export interface PlannedMenu {
  text: string;
  /** The branches a key chooses (digits, * and #). */
  options: MenuOption[];
  /** The branch taken without a key. */
  noInput: MenuOption | null;
}

export type RingStep =
  /** Greetings to speak, then a menu's question when `menu` is set. */
  | { kind: 'prompt'; texts: string[]; menu: PlannedMenu | null }
  | { kind: 'ring_group'; groupId: number; ringSeconds: number }
  | { kind: 'ring_user'; userId: number; ringSeconds: number }
  /** `texts`: greetings before it and its own text, spoken before the tone. */
  | { kind: 'voicemail'; userId: number | null; groupId: number | null; texts: string[] };

export interface PlanEvent {
  kind: 'greeting' | 'hours_open' | 'hours_closed' | 'menu';
  detail: string;
}

export interface CallPlan {
  /** What happened when the call arrived (business hours), in order. */
  events: PlanEvent[];
  /** Steps in order, ending with at most one menu or voicemail step. */
  steps: RingStep[];
}

const MAX_DEPTH = 8;
const DAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Weekday (0 = Sunday) and "HH:MM" at `at` in `timezone`; UTC when the zone is unknown. */
export function localTime(at: number, timezone: string): { day: number; hhmm: string } {
  let zone = timezone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    zone = 'UTC';
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: DAY[get('weekday')] ?? 0, hhmm: `${get('hour')}:${get('minute')}` };
}

export function isOpen(step: FlowStep, at: number): boolean {
  const { day, hhmm } = localTime(at, step.timezone ?? 'UTC');
  return (step.open ?? []).some((p) => p.day === day && p.from <= hhmm && hhmm < p.to);
}

export function planCall(steps: readonly FlowStep[], at: number, depth = 0): CallPlan {
  const plan: CallPlan = { events: [], steps: [] };
  let texts: string[] = [];
  const flush = () => {
    if (texts.length > 0) plan.steps.push({ kind: 'prompt', texts, menu: null });
    texts = [];
  };
  const branch = (key: string, list: readonly FlowStep[]): MenuOption => ({ key, ...planCall(list, at, depth + 1) });
  if (depth > MAX_DEPTH) return plan;
  for (const s of steps) {
    switch (s.kind) {
      case 'greeting':
        if (s.text) texts.push(s.text);
        break;
      case 'hours': {
        if (isOpen(s, at)) {
          plan.events.push({ kind: 'hours_open', detail: `Open (${s.timezone ?? 'UTC'})` });
          break;
        }
        plan.events.push({ kind: 'hours_closed', detail: `Closed (${s.timezone ?? 'UTC'})` });
        const closed = planCall(s.branches?.find((b) => b.key === 'closed')?.steps ?? [], at, depth + 1);
        plan.events.push(...closed.events);
        const first = closed.steps[0];
        // Greetings before the hours step are spoken before the closed branch's own.
        if (texts.length > 0 && (first?.kind === 'prompt' || first?.kind === 'voicemail'))
          first.texts.unshift(...texts);
        else flush();
        texts = [];
        plan.steps.push(...closed.steps);
        return plan;
      }
      case 'menu': {
        const branches = s.branches ?? [];
        const options = branches.filter((b) => b.key !== 'timeout').map((b) => branch(b.key, b.steps));
        const timeout = branches.find((b) => b.key === 'timeout');
        const noInput = timeout ? branch('timeout', timeout.steps) : (options[0] ?? null);
        plan.steps.push({ kind: 'prompt', texts, menu: { text: s.text ?? '', options, noInput } });
        texts = [];
        return plan;
      }
      case 'ring_group':
        flush();
        if (s.groupId !== undefined)
          plan.steps.push({ kind: 'ring_group', groupId: s.groupId, ringSeconds: s.ringSeconds ?? 30 });
        break;
      case 'ring_user':
        flush();
        if (s.userId !== undefined)
          plan.steps.push({ kind: 'ring_user', userId: s.userId, ringSeconds: s.ringSeconds ?? 30 });
        break;
      case 'voicemail':
        plan.steps.push({
          kind: 'voicemail',
          userId: s.userId ?? null,
          groupId: s.groupId ?? null,
          texts: [...texts, ...(s.text ? [s.text] : [])],
        });
        texts = [];
        return plan;
    }
  }
  flush();
  return plan;
}
