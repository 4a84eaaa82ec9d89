import { wilson, wilsonCentre } from './wilson.js';

// When a smaller schedule may stand for the first failing one: it must reproduce about as often. Shrinking accepts a
// candidate on its first failure (a schedule that fails every time costs one run), so the rule is applied where the
// runs are: confirmation re-runs the minimal schedule, and walks back along the shrink path when it falls short.

/** Failures in runs. */
export interface Tally {
  failed: number;
  runs: number;
}

/**
 * The rate a smaller schedule must be able to reach: the centre of the 95% Wilson interval of the reference (the
 * first failing schedule's estimate, its first failure and re-runs). 4/4 → 76%, 3/4 → 63%, 2/4 → 50%.
 */
export const reliabilityBar = (reference: Tally): number => (reference.runs > 0 ? wilsonCentre(reference.failed, reference.runs) : 0);

/**
 * A schedule reproduces about as often as the reference when it failed at least once and the upper bound of its 95%
 * Wilson interval reaches the bar: it is not shown to fail less often. At 20 runs and a 4/4 reference: 12 failures.
 */
export const asOften = (r: Tally, bar: number): boolean => r.failed > 0 && wilson(r.failed, r.runs).high >= bar;

/** Whether `r`, with `planned` runs in all, can still reach the bar if every run left fails (else stop early). */
export const canReachBar = (r: Tally, planned: number, bar: number): boolean => asOften({ failed: r.failed + Math.max(0, planned - r.runs), runs: Math.max(planned, r.runs) }, bar);
