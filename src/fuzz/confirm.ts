import type { Schedule } from '../schedule/event.js';
import type { Reproduction } from '../report/fuzz-report.js';
import type { TrialRecord } from '../trial/record.js';
import type { Budget } from './budget.js';
import type { FailingStep } from './property-state.js';
import { asOften, canReachBar, reliabilityBar, type Tally } from './reliability.js';
import type { TrialFn } from './trial-fn.js';
import { wilson } from './wilson.js';

// Confirmation: how often a schedule fails when it is run again. Used by a campaign on its minimal schedule and by
// `replay`; it needs a trial function only (no fast-check, no reports).

/**
 * Re-runs a schedule `runs` times, `parallel` at once, counting failures with `signature` (any failure when it
 * is undefined); keeps the record of the first such failure, and of the first run that passed outright (a flaky
 * schedule then has one of each, to show side by side). With `budget`, a batch starts only when it is expected to end
 * before the deadline; with `firstBatch`, the first starts whenever the deadline is still ahead. `giveUp`: stops after
 * a batch once the tally so far settles the question it was run for.
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
  giveUp?: (tally: Tally) => boolean,
): Promise<Reproduction & { record?: TrialRecord; passing?: TrialRecord }> {
  let failed = 0;
  let done = 0;
  let record: TrialRecord | undefined;
  let passing: TrialRecord | undefined;
  // The first batch may end past the deadline: a trial started before it ends by the budget plus one trial's worst
  // case, which a campaign may take anyway, and a finding is worth more confirmed once than cut to 0 runs.
  const mayStart = () => !budget || budget.fits() || (firstBatch && done === 0 && budget.now() < budget.deadline);
  while (done < runs && !signal?.aborted && mayStart() && !giveUp?.({ failed, runs: done })) {
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
  /** The smallest schedule on the shrink path that reproduces about as often as the first (or the last one tried, when time ran out). */
  chosen: FailingStep;
  reproduction: Reproduction;
  /** A failing trial of it: from confirmation, else the one that accepted it while shrinking. */
  record?: TrialRecord;
  /** A trial of it that passed in confirmation, when the schedule is flaky. */
  passing?: TrialRecord;
  /** Smaller schedules that did not fail again. */
  skipped: Schedule[];
  /** Smaller schedules that failed again, but less often than the first failing schedule: passed over. */
  lessReliable: { schedule: Schedule; reproduction: Reproduction }[];
  /** Confirmation runs of the chosen schedule, done and planned. */
  runs: { done: number; planned: number };
  /** The first failing schedule's own confirmation, when it was run in full (to hold the minimal schedule to it). */
  original?: Reproduction;
}

export interface ShrinkPathOptions {
  runs: number;
  parallel: number;
  budget: Budget;
  signal: AbortSignal;
  onStep: (step: FailingStep) => void;
  /**
   * The first failing schedule's estimate (its first failure and re-runs): a smaller schedule is chosen only when it
   * reproduces about as often (src/fuzz/reliability.ts). Without it, any schedule that fails again will do.
   */
  reference?: Tally;
}

/** A step of the shrink path (its index, original first) and what its confirmation runs gave. */
interface Probe {
  index: number;
  step: FailingStep;
  result: Reproduction & { record?: TrialRecord; passing?: TrialRecord };
}

/**
 * Confirms the minimal schedule; shrinking accepts a candidate on its first failure, so one that fails too rarely
 * (never again, or clearly less often than the first failing schedule) is passed over. A minimal schedule that
 * failed every run is kept at once (a deterministic failure costs its confirmation runs only, as before). One that
 * passed some runs is held to the first failing schedule, measured as well as it: that one is confirmed too and its
 * runs join its estimate (the bar, src/fuzz/reliability.ts). When the minimal schedule falls short, the shrink path
 * (`accepted`, original first) is bisected for the smallest schedule that reaches the bar.
 */
export async function confirmShrinkPath(accepted: readonly FailingStep[], signature: string, trial: TrialFn, options: ShrinkPathOptions): Promise<ConfirmedStep> {
  const probes: Probe[] = [];
  const probe = async (index: number, giveUpBelow?: number): Promise<Probe> => {
    const step = accepted[index]!;
    options.onStep(step);
    // A smaller schedule on the walk back stops as soon as it can no longer reach the bar.
    const giveUp = giveUpBelow !== undefined ? (t: Tally) => !canReachBar(t, options.runs, giveUpBelow) : undefined;
    // The minimal schedule gets one batch whatever the slowest trial says: a finding never goes out unconfirmed for it.
    const first = index === accepted.length - 1 && probes.length === 0;
    const result = await confirm(trial, step.schedule, signature, options.runs, options.parallel, options.signal, options.budget, first, giveUp);
    probes.push({ index, step, result });
    return probes.at(-1)!;
  };
  const minimal = await probe(accepted.length - 1);
  const chosen = await choose(minimal, probe, options);
  const { record, passing, ...reproduction } = chosen.result;
  const smaller = probes.filter((p) => p.index > chosen.index).sort((a, b) => b.index - a.index);
  const original = probes.find((p) => p.index === 0 && p.result.runs >= options.runs);
  return {
    chosen: chosen.step,
    reproduction,
    ...(record ?? chosen.step.record ? { record: record ?? chosen.step.record } : {}),
    ...(passing ? { passing } : {}),
    skipped: smaller.filter((p) => p.result.failed === 0).map((p) => p.step.schedule),
    lessReliable: smaller.filter((p) => p.result.failed > 0).map((p) => ({ schedule: p.step.schedule, reproduction: withoutRecords(p.result) })),
    runs: { done: chosen.result.runs, planned: options.runs },
    ...(original ? { original: withoutRecords(original.result) } : {}),
  };
}

type ProbeFn = (index: number, giveUpBelow?: number) => Promise<Probe>;

/**
 * The minimal schedule, or the smallest on the shrink path that reproduces about as often as the first failing one.
 * The bar is the first failing schedule's estimate, joined by its own confirmation when the minimal schedule passed
 * some runs; then the path between the two is bisected. When no smaller schedule reaches the bar, the first failing
 * schedule is kept; with no time left to look, the minimal schedule is.
 */
async function choose(minimal: Probe, probe: ProbeFn, options: ShrinkPathOptions): Promise<Probe> {
  const stopped = () => options.signal.aborted || !options.budget.fits();
  const full = (p: Probe) => p.result.runs >= options.runs;
  if (!full(minimal) || options.signal.aborted || minimal.index === 0) return minimal; // cut, or nothing to walk back to
  const { reference } = options;
  let bar = reference ? reliabilityBar(reference) : 0;
  let original: Probe | undefined;
  if (reference && minimal.result.failed < minimal.result.runs && !stopped()) {
    original = await probe(0);
    if (full(original)) bar = reliabilityBar({ failed: reference.failed + original.result.failed, runs: reference.runs + original.result.runs });
  }
  if (asOften(minimal.result, bar)) return minimal;
  let [lo, hi] = [0, minimal.index];
  let found: Probe | undefined;
  while (hi - lo > 1 && !stopped()) {
    const mid = Math.floor((lo + hi) / 2);
    const p = await probe(mid, bar);
    if (full(p) && asOften(p.result, bar)) [lo, found] = [mid, p];
    else hi = mid;
  }
  return found ?? original ?? (stopped() ? minimal : await probe(0));
}

const withoutRecords = ({ record: _r, passing: _p, ...reproduction }: Probe['result']): Reproduction => reproduction;
