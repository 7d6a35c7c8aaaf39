/** Nearest-rank percentile of an ascending array (p in 0..100); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export interface LatenessStats {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Percentiles of lateness samples, ms. */
export function latenessStats(samples: readonly number[]): LatenessStats {
  const s = [...samples].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 100) / 100;
  return {
    count: s.length,
    min: r(s[0] ?? NaN),
    p50: r(percentile(s, 50)),
    p90: r(percentile(s, 90)),
    p99: r(percentile(s, 99)),
    p999: r(percentile(s, 99.9)),
    max: r(s[s.length - 1] ?? NaN),
    mean: r(s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN),
  };
}

/** Medians, field by field, of the numeric fields of several objects of one shape (nested objects too). */
export function medianOf<T>(runs: readonly T[]): T {
  const first = runs[0];
  if (first === undefined) return {} as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(first as Record<string, unknown>)) {
    const vals = runs.map((r) => (r as Record<string, unknown>)[k]);
    if (typeof v === 'number') out[k] = median(vals as number[]);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = medianOf(vals.filter((x) => x) as object[]);
    else out[k] = v;
  }
  return out as T;
}
