/** Every refusal names its reason in words a person can act on. */
export type Decision = { allowed: true } | { allowed: false; code: 'forbidden' | 'plan' | 'conflict'; reason: string };

export const allow: Decision = { allowed: true };
export const deny = (reason: string, code: 'forbidden' | 'plan' | 'conflict' = 'forbidden'): Decision => ({
  allowed: false,
  code,
  reason,
});

/** The first refusal, or allow. */
export function all(...decisions: (() => Decision)[]): Decision {
  for (const d of decisions) {
    const r = d();
    if (!r.allowed) return r;
  }
  return allow;
}
