import type { FixCheck, Reproduction } from '../report/fuzz-report.js';
import { cleanRunsNeeded } from './wilson.js';

// Proving a fix: is the failure rate of a finding's schedule now clearly below the rate it was recorded with?
//
// - still failing: it failed again with the same signature, at least once (the bug is there, whatever the rate).
// - fixed: no failure in n runs now, and the one-sided 95% upper bound on the rate now, 1 − 0.05^(1/n), is at most
//   the lower bound of the recorded rate's 95% Wilson interval. Put another way: had the bug stayed at the lowest
//   rate the recording allows, n clean runs in a row would happen less than 5% of the time.
// - undecided: no failure yet, too few runs for that bound; it says how many more clean runs would settle it.

const CONFIDENCE = 0.95;

/** The one-sided upper bound on a rate after 0 failures in n runs (exact; about 3/n, the "rule of three"). */
export const upperBoundAfterClean = (n: number): number => (n > 0 ? 1 - (1 - CONFIDENCE) ** (1 / n) : 1);

/** Decides what the rate now says about the recorded one. */
export function checkFix(before: Reproduction, now: Reproduction): FixCheck {
  const counts = `${now.failed}/${now.runs} now vs ${before.failed}/${before.runs} before`;
  if (now.failed > 0) {
    return {
      before,
      now,
      decision: 'still-failing',
      message: `still fails: ${counts} (${pct(now.rate)} now, 95% interval ${pct(now.interval.low)}–${pct(now.interval.high)}; before ${pct(before.interval.low)}–${pct(before.interval.high)})`,
    };
  }
  const upperBound = upperBoundAfterClean(now.runs);
  const floor = before.interval.low;
  const needed = floor > 0 ? cleanRunsNeeded(floor, 1 - CONFIDENCE, Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  if (now.runs >= needed) {
    return {
      before,
      now,
      decision: 'fixed',
      upperBound,
      message: `fixed: ${counts} (95% upper bound on the rate now ${pct(upperBound)}, below ${pct(floor)}, the lower bound before)`,
    };
  }
  const moreRuns = needed - now.runs;
  return {
    before,
    now,
    decision: 'undecided',
    upperBound,
    ...(Number.isFinite(moreRuns) ? { moreRuns } : {}),
    message: Number.isFinite(moreRuns)
      ? `not enough runs to tell: ${counts} (95% upper bound on the rate now ${pct(upperBound)}, not below ${pct(floor)}, the lower bound before); run ${moreRuns} more`
      : `not enough runs to tell: ${counts}; the recorded rate's lower bound is 0, so no number of clean runs can show it dropped`,
  };
}

/** Percentages with a decimal where it matters (4.9%, not 5%). */
const pct = (x: number) => `${x < 0.1 && x > 0 ? (Math.round(x * 1000) / 10).toFixed(1) : Math.round(x * 100)}%`;
