import type { Schedule } from '../schedule/event.js';
import type { Reproduction } from '../report/fuzz-report.js';
import type { TrialRecord } from '../trial/record.js';
import type { Budget } from './budget.js';
import type { FailingStep } from './property-state.js';
import type { TrialFn } from './trial-fn.js';
import { wilson } from './wilson.js';

// Confirmation: how often a schedule fails when it is run again. Used by a campaign on its minimal schedule and by
// `replay`; it needs a trial function only (no fast-check, no reports).

/** How many smaller schedules confirmation may reject before it settles for the original. */
const MAX_WALK_BACK = 3;

/**
 * Re-runs a schedule `runs` times, `parallel` at once, counting failures with `signature` (any failure when it
 * is undefined); keeps the record of the first such failure, and of the first run that passed outright (a flaky
 * schedule then has one of each, to show side by side). With `budget`, a batch starts only when it is expected to end
 * before the deadline; with `firstBatch`, the first starts whenever the deadline is still ahead.
 */
export async function confirm(
  trial: TrialFn,
  schedule: Schedule,
  signature: string | undefined,
  runs: number,
  parallel: number,
  signal?: AbortSignal,
  budget?: Budget,
  firstBatch = false,
): Promise<Reproduction & { record?: TrialRecord; passing?: TrialRecord }> {
  let failed = 0;
  let done = 0;
  let record: TrialRecord | undefined;
  let passing: TrialRecord | undefined;
  // The first batch may end past the deadline: a trial started before it ends by the budget plus one trial's worst
  // case, which a campaign may take anyway, and a finding is worth more confirmed once than cut to 0 runs.
  const mayStart = () => !budget || budget.fits() || (firstBatch && done === 0 && budget.now() < budget.deadline);
  while (done < runs && !signal?.aborted && mayStart()) {
    const batch = Math.min(parallel, runs - done);
    const once = budget ? (s: Schedule) => budget.timed(() => trial(s), 'confirming') : trial;
    const outcomes = await Promise.all(Array.from({ length: batch }, () => once(schedule)));
    const failing = outcomes.filter((o) => o.kind === 'fail' && (signature === undefined || o.signatures.includes(signature)));
    record ??= failing.map((o) => (o.kind === 'fail' ? o.record : undefined)).find(Boolean);
    passing ??= outcomes.map((o) => (o.kind === 'pass' ? o.record : undefined)).find(Boolean);
    failed += failing.length;
    done += batch;
  }
  return { failed, runs: done, rate: done ? failed / done : 0, interval: wilson(failed, done), ...(record ? { record } : {}), ...(passing ? { passing } : {}) };
}

export interface ConfirmedStep {
  /** The smallest schedule on the shrink path that reproduced (or the last one tried, when none did or time ran out). */
  chosen: FailingStep;
  reproduction: Reproduction;
  /** A failing trial of it: from confirmation, else the one that accepted it while shrinking. */
  record?: TrialRecord;
  /** A trial of it that passed in confirmation, when the schedule is flaky. */
  passing?: TrialRecord;
  /** Smaller schedules that did not fail again. */
  skipped: Schedule[];
  /** Confirmation runs of the chosen schedule, done and planned. */
  runs: { done: number; planned: number };
}

/**
 * A candidate that failed once while shrinking may fail too rarely to be any use: walks back along the shrink path
 * (`accepted`, original first) to the smallest schedule that reproduces in confirmation.
 */
export async function confirmShrinkPath(
  accepted: readonly FailingStep[],
  signature: string,
  trial: TrialFn,
  options: { runs: number; parallel: number; budget: Budget; signal: AbortSignal; onStep: (step: FailingStep) => void },
): Promise<ConfirmedStep> {
  const path = [...accepted].reverse();
  let chosen: FailingStep = path[0]!;
  let reproduction: Reproduction | undefined;
  let record: TrialRecord | undefined;
  let passing: TrialRecord | undefined;
  let runs = { done: 0, planned: options.runs };
  const skipped: Schedule[] = [];
  for (const [i, step] of path.entries()) {
    if (i >= MAX_WALK_BACK && step !== path.at(-1)) continue;
    if (reproduction && !options.budget.fits()) break; // no time to walk further back: keep the smallest confirmed so far
    options.onStep(step);
    // The smallest schedule gets one batch whatever the slowest trial says: a finding never goes out unconfirmed for it.
    const { record: failing, passing: passed, ...r } = await confirm(trial, step.schedule, signature, options.runs, options.parallel, options.signal, options.budget, i === 0);
    runs = { done: r.runs, planned: options.runs };
    chosen = step;
    reproduction = r;
    record = failing ?? step.record;
    passing = passed;
    if (r.failed > 0 || options.signal.aborted || r.runs < options.runs) break; // found, or cut: keep this one
    skipped.push(step.schedule);
  }
  return { chosen, reproduction: reproduction!, ...(record ? { record } : {}), ...(passing ? { passing } : {}), skipped, runs };
}
