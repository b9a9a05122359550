/** Latency samples in microseconds, and what the report says about them. */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = [...samples].sort((a, b) => a - b);
  // Nearest-rank percentiles: with few samples p99 is the slowest one, never an interpolation below it.
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return {
    n: s.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: s[s.length - 1]!,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** Microseconds since `start` (from process.hrtime.bigint()). */
export const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1000;

export const round = (x: number, digits = 1) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

export const fmtUs = (us: number) =>
  !Number.isFinite(us)
    ? '–'
    : us >= 10_000
      ? `${(us / 1000).toFixed(0)} ms`
      : us >= 999.5
        ? `${(us / 1000).toFixed(2)} ms`
        : `${us.toFixed(0)} µs`;

export const fmtRatio = (x: number) => (!Number.isFinite(x) ? '–' : x >= 100 ? `${x.toFixed(0)}×` : `${x.toFixed(1)}×`);
