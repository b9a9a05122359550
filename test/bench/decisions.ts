import type { Db } from '../../src/main/core/store/db';
import { casbinEnforcer, casbinObject, casbinSubject } from './casbinPolicy';
import { caslAbility, caslSubject } from './caslPolicy';
import { buildMix, ourDecision } from './decisionMix';
import { round } from './stats';

export interface EngineResult {
  /** Median over rounds of (time of a pass over the mix) / (decisions in it). */
  nsPerDecision: number;
  decisionsPerSecond: number;
  decisions: number;
  rounds: number;
}

export interface DecisionResult {
  mix: Record<string, number>;
  actors: number;
  allowedShare: number;
  /** Decisions where the engine's answer differs from the app's can(). */
  disagreements: { casl: number; casbin: number };
  ours: EngineResult;
  casl: EngineResult;
  casbin: EngineResult;
  /** How many times more decisions per second can() makes. */
  speedup: { casl: number; casbin: number };
  /** Building one actor's CASL ability (per request, if it is not cached), µs. */
  caslAbilityBuildUs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * can() against the same policy in CASL and casbin, on one pre-built mix.
 * Each engine gets its per-actor state built before timing (our Actor, CASL's
 * ability, casbin's subject), as a server would cache it. Rounds alternate
 * between engines so machine noise spreads over all three.
 */
export async function measureDecisions(
  db: Db,
  o: { count: number; rounds: number; casbinCount: number; seed: number },
): Promise<DecisionResult> {
  const mix = buildMix(db, o.count, o.seed);
  const buildStart = performance.now();
  const abilities = mix.actors.map(caslAbility);
  const caslAbilityBuildUs = ((performance.now() - buildStart) * 1000) / mix.actors.length;
  const caslChecks = mix.checks.map(caslSubject);
  const enforcer = await casbinEnforcer();
  const subjects = mix.actors.map(casbinSubject);
  const objects = mix.checks.map(casbinObject);
  const n = mix.checks.length;
  const nCasbin = Math.min(n, o.casbinCount);

  let allowed = 0;
  const disagreements = { casl: 0, casbin: 0 };
  for (let i = 0; i < n; i++) {
    const a = mix.who[i]!;
    const ours = ourDecision(mix.actors[a]!, mix.checks[i]!);
    if (ours) allowed++;
    const [action, subject] = caslChecks[i]!;
    if (abilities[a]!.can(action, subject) !== ours) disagreements.casl++;
    if (i < nCasbin && enforcer.enforceSync(subjects[a], objects[i], mix.checks[i]!.action) !== ours)
      disagreements.casbin++;
  }

  const times = { ours: [] as number[], casl: [] as number[], casbin: [] as number[] };
  let sink = 0;
  for (let r = 0; r < o.rounds; r++) {
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (ourDecision(mix.actors[mix.who[i]!]!, mix.checks[i]!)) sink++;
    times.ours.push(Number(process.hrtime.bigint() - t) / n);
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const [action, subject] = caslChecks[i]!;
      if (abilities[mix.who[i]!]!.can(action, subject)) sink++;
    }
    times.casl.push(Number(process.hrtime.bigint() - t) / n);
    t = process.hrtime.bigint();
    for (let i = 0; i < nCasbin; i++)
      if (enforcer.enforceSync(subjects[mix.who[i]!], objects[i], mix.checks[i]!.action)) sink++;
    times.casbin.push(Number(process.hrtime.bigint() - t) / nCasbin);
  }
  if (sink < 0) throw new Error('unreachable');
  const engine = (ns: number[], decisions: number): EngineResult => {
    const m = median(ns);
    return { nsPerDecision: round(m, 1), decisionsPerSecond: Math.round(1e9 / m), decisions, rounds: ns.length };
  };
  const ours = engine(times.ours, n);
  const casl = engine(times.casl, n);
  const casbin = engine(times.casbin, nCasbin);
  return {
    mix: Object.fromEntries(Object.entries(mix.share).map(([k, v]) => [k, round(v, 3)])),
    actors: mix.actors.length,
    allowedShare: round(allowed / n, 3),
    disagreements,
    ours,
    casl,
    casbin,
    speedup: {
      casl: round(casl.nsPerDecision / ours.nsPerDecision, 2),
      casbin: round(casbin.nsPerDecision / ours.nsPerDecision, 1),
    },
    caslAbilityBuildUs: round(caslAbilityBuildUs, 1),
  };
}
