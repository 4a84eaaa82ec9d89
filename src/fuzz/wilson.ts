/** Wilson score interval for k successes in n trials (95% by default): honest even for 0/n and n/n. */
export function wilson(k: number, n: number, z = 1.96): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Clean runs needed before a schedule counts as passing, when it fails with probability `rate`: the smallest k
 * with (1 − rate)^k ≤ `miss`, capped.
 */
export function cleanRunsNeeded(rate: number, miss = 0.05, cap = 8): number {
  if (rate >= 1) return 1;
  if (rate <= 0) return cap;
  return Math.min(cap, Math.max(1, Math.ceil(Math.log(miss) / Math.log(1 - rate))));
}

/**
 * The centre of the Wilson interval: the rate pulled towards ½ by z²/2 runs each way (Agresti–Coull). Unlike k/n it
 * does not read 4 failures in 4 runs as "always": 4/4 → 76%, 3/4 → 63%, 2/4 → 50%.
 */
export function wilsonCentre(k: number, n: number, z = 1.96): number {
  return (k + (z * z) / 2) / (n + z * z);
}
