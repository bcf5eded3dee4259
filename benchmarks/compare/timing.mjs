// Shared by the comparator scripts: the statistics both sides report, computed the same way as
// Mandate.Benchmarks' "measure" command (nearest-rank percentiles over per-decision durations in nanoseconds).

/** Median, p99 and mean in microseconds of an array of per-decision durations in nanoseconds. */
export function summarize(durationsNs) {
  const sorted = Float64Array.from(durationsNs).sort();
  const n = sorted.length;
  if (n === 0) {
    return { decisions: 0, median_us: 0, p99_us: 0, mean_us: 0 };
  }
  const rank = (q) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  let total = 0;
  for (const d of sorted) total += d;
  return {
    decisions: n,
    median_us: round(rank(0.5) / 1000),
    p99_us: round(rank(0.99) / 1000),
    mean_us: round(total / n / 1000),
  };
}

function round(x) {
  return Math.round(x * 1000) / 1000;
}
