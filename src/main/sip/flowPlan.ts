import type { FlowStep } from '../../shared/api/entities';

/**
 * How a call to a business number goes through its call flow. Decided once,
 * when the call arrives (greetings are not played and menu digits are not
 * collected):
 *
 * - greeting: not played; noted in the call's events.
 * - hours: open or closed at the arrival time in the step's time zone;
 *   closed runs the "closed" branch, which ends the flow.
 * - menu: the caller cannot press a key, so the call takes the "no input"
 *   (`timeout`) branch, or the first branch when there is none; a branch
 *   ends the flow (steps after a menu are never reached, as in the editor).
 * - ring_group / ring_user: one ring step each, in order.
 * - voicemail: ends the flow; the voicemail service takes a message
 *   (media/voicemail.ts, docs/softphone.md).
 */

export type RingStep =
  | { kind: 'ring_group'; groupId: number; ringSeconds: number }
  | { kind: 'ring_user'; userId: number; ringSeconds: number }
  | { kind: 'voicemail'; userId: number | null; groupId: number | null };

export interface PlanEvent {
  kind: 'greeting' | 'hours_open' | 'hours_closed' | 'menu';
  detail: string;
}

export interface CallPlan {
  /** What happened before the first ring (greeting, hours, menu), in order. */
  events: PlanEvent[];
  /** Ring steps in order, ending with at most one voicemail step. */
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

export function planCall(steps: readonly FlowStep[], at: number): CallPlan {
  const plan: CallPlan = { events: [], steps: [] };
  const walk = (list: readonly FlowStep[], depth: number): void => {
    if (depth > MAX_DEPTH) return;
    for (const s of list) {
      switch (s.kind) {
        case 'greeting':
          plan.events.push({ kind: 'greeting', detail: 'Not played: greetings need a media server' });
          break;
        case 'hours': {
          if (isOpen(s, at)) {
            plan.events.push({ kind: 'hours_open', detail: `Open (${s.timezone ?? 'UTC'})` });
            break;
          }
          plan.events.push({ kind: 'hours_closed', detail: `Closed (${s.timezone ?? 'UTC'})` });
          walk(s.branches?.find((b) => b.key === 'closed')?.steps ?? [], depth + 1);
          return;
        }
        case 'menu': {
          const branches = s.branches ?? [];
          const branch = branches.find((b) => b.key === 'timeout') ?? branches[0];
          if (!branch) return;
          plan.events.push({
            kind: 'menu',
            detail:
              branch.key === 'timeout'
                ? 'No input (digits need a media server)'
                : `Key ${branch.key} (no input branch missing)`,
          });
          walk(branch.steps, depth + 1);
          return;
        }
        case 'ring_group':
          if (s.groupId !== undefined)
            plan.steps.push({ kind: 'ring_group', groupId: s.groupId, ringSeconds: s.ringSeconds ?? 30 });
          break;
        case 'ring_user':
          if (s.userId !== undefined)
            plan.steps.push({ kind: 'ring_user', userId: s.userId, ringSeconds: s.ringSeconds ?? 30 });
          break;
        case 'voicemail':
          plan.steps.push({ kind: 'voicemail', userId: s.userId ?? null, groupId: s.groupId ?? null });
          return;
      }
    }
  };
  walk(steps, 0);
  return plan;
}
