import fc from 'fast-check';
import type { SigstormError } from '../errors.js';
import { describeEvent, type Schedule } from '../faults/event.js';
import { journal } from '../leftovers/journal.js';
import type { CampaignSummary, FuzzOutcome, Reproduction } from '../report/fuzz-report.js';
import type { Scenario } from '../scenario/schema.js';
import type { TrialRecord } from '../trial/record.js';
import { scheduleArbitrary, sortSchedule } from './arbitrary.js';
import { Budget, worstCaseTrialMs } from './budget.js';
import { confirmShrinkPath } from './confirm.js';
import { cutOf } from './cut.js';
import { FlakyProperty, type TrialFn, type TrialOutcome } from './flaky.js';
import { defaultParallelism } from './parallelism.js';
import { wilson } from './wilson.js';

export interface CampaignOptions {
  /** Generated schedules to try (fast-check numRuns). */
  runs?: number;
  /** Wall-clock budget of the whole campaign in ms. */
  budgetMs?: number;
  seed?: number;
  /** Trials run at once when re-running a schedule (estimation, a shrink candidate's clean runs, confirmation). */
  parallel?: number;
  /** Re-runs of the minimal schedule for its reproduction rate. */
  confirmRuns?: number;
  signal?: AbortSignal;
  /** Called after every trial and schedule, and at each change of phase. */
  onProgress?: (progress: FuzzProgress) => void;
}

/** Where a campaign stands, for a progress display. */
export interface FuzzProgress {
  scenario: string;
  phase: 'exploring' | 'shrinking' | 'confirming';
  schedulesTried: number;
  /** Schedules the campaign will generate at most (`runs`). */
  runs: number;
  trials: number;
  /** Failures met so far (confirmed or not, any signature). */
  failures: number;
  shrinkSteps: number;
  elapsedMs: number;
  budgetMs: number;
  /** The same, as one line for a log. */
  message: string;
}

/**
 * How the campaign runs one trial: the session builds it. Trials end early once `signal` aborts; `onFatal` is
 * called when the environment failed for good (the campaign then stops, keeping what it found).
 */
export type TrialFactory = (signal: AbortSignal, onFatal: (error: SigstormError) => void) => TrialFn;

export interface CampaignHooks {
  /** Schedules to try first (failures of earlier campaigns). */
  examples?: Schedule[];
  /** The campaign as it stands (`complete: false`), at its start and at each new or smaller failure. */
  checkpoint?: (summary: CampaignSummary) => Promise<void>;
}

export interface CampaignResult {
  summary: CampaignSummary;
  /** A failing trial of the minimal schedule. */
  trial?: TrialRecord;
}

/** At most this share of the budget is kept from shrinking for confirmation. */
const CONFIRM_SHARE = 0.25;
const ESTIMATE_RUNS = 3;

/** One campaign: generate schedules, find a failure, shrink it flaky-aware, confirm it. */
export async function runCampaign(scenario: Scenario, makeTrial: TrialFactory, options: CampaignOptions = {}, hooks: CampaignHooks = {}): Promise<CampaignResult> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const budgetMs = options.budgetMs ?? 5 * 60_000;
  const parallel = options.parallel ?? defaultParallelism();
  const started = Date.now();
  const runs = options.runs ?? 50;
  const onProgress = options.onProgress ?? (() => undefined);
  const confirmRuns = options.confirmRuns ?? 20;
  // One deadline for every phase. Exploring stops in time to estimate a failure it meets and run one confirmation
  // batch; shrinking stops in time for confirmation's share; a trial that cannot end in time is not started.
  const budget = new Budget(started, budgetMs);
  const confirmReserve = () => Math.min(budgetMs * CONFIRM_SHARE, budget.batchesMs(confirmRuns, parallel));
  const until = (phase: 'explore' | 'estimate' | 'shrink') =>
    phase === 'explore'
      ? budget.deadline - budget.batchesMs(ESTIMATE_RUNS, parallel) - budget.batchesMs(Math.min(parallel, confirmRuns), parallel)
      : phase === 'estimate'
        ? budget.deadline
        : budget.deadline - confirmReserve();
  let phase: FuzzProgress['phase'] = 'exploring';
  let confirmTrials = 0;
  let tried = 0;
  const progress = (message: string) =>
    onProgress({
      scenario: scenario.name,
      phase,
      schedulesTried: tried,
      runs,
      trials: property.trials + confirmTrials,
      failures: property.findings.length,
      shrinkSteps: property.shrinkSteps,
      elapsedMs: Date.now() - started,
      budgetMs,
      message,
    });

  // Work stops on the user's interrupt, or when the environment fails for good (the engine went away).
  const halt = new AbortController();
  const stop = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal;
  let fatal: SigstormError | undefined;
  const run = makeTrial(stop, (error) => {
    fatal ??= error;
    progress(`stopping: ${error.message}`);
    halt.abort();
  });
  // Every trial reports progress: the first failure of a campaign takes several (its estimate) before fast-check hears of it.
  const trial = async (schedule: Schedule): Promise<TrialOutcome> => {
    const outcome = await run(schedule);
    if (phase === 'confirming') confirmTrials++;
    progress(`trial ${property.trials + confirmTrials}: ${outcome.kind}`);
    return outcome;
  };
  const property = new FlakyProperty(trial, {
    estimateRuns: ESTIMATE_RUNS,
    maxCleanRuns: 8,
    infraRetries: 2,
    shrinkTrials: 200,
    shrinkMs: Math.max(30_000, budgetMs / 2),
    parallel,
    budget,
    until,
    isTerminating: (signal) => signal === 'SIGKILL' || scenario.expect[signal]?.kind === 'exit',
  });
  let confirmDone: { done: number; planned: number } | undefined;

  /** The campaign as it stands; `complete` is false for the checkpoints written while it runs. */
  function summarize(outcome: FuzzOutcome, path: string | null, complete = true): CampaignSummary {
    const cut = complete && !stop.aborted
      ? cutOf({
          passed: outcome.kind === 'passed',
          schedulesTried: tried,
          runs,
          budgetMs,
          exploreCut: property.exploreCut,
          estimateCut: property.estimateCut,
          shrinkCut: property.budgetExhausted,
          confirmRuns: confirmDone,
        })
      : undefined;
    return {
      seed,
      path,
      schedulesTried: tried,
      trialsRun: property.trials + (outcome.kind === 'failed' && !outcome.reproduction.fromEstimate ? outcome.reproduction.runs : 0),
      infrastructureErrors: property.infrastructureErrors,
      durationMs: Date.now() - started,
      budgetMs,
      worstCaseTrialMs: worstCaseTrialMs(scenario),
      ...(cut ? { cut } : {}),
      timeToFirstFailureMs: property.firstFailureAt !== undefined ? property.firstFailureAt - started : null,
      verdict: outcome.kind === 'failed' ? 'fail' : outcome.kind === 'passed' ? 'pass' : 'unknown',
      interrupted: options.signal?.aborted ?? false,
      ...(fatal ? { error: { kind: fatal.kind, message: fatal.message } } : {}),
      complete,
      outcome,
      minimalSteps: outcome.kind === 'failed' ? outcome.minimal.map(describeEvent) : [],
      findings: property.findings.filter((f) => outcome.kind !== 'failed' || f.signature !== outcome.signature || !f.confirmed),
      shrinkBudgetExhausted: property.budgetExhausted,
    };
  }
  /** What a reader finds if this campaign dies now: the smallest failure so far, not yet confirmed. */
  async function checkpoint(): Promise<void> {
    const m = property.minimal;
    const outcome: FuzzOutcome = m
      ? { kind: 'failed', signature: property.target!.signature, minimal: m.schedule, original: property.original!, shrinkSteps: property.shrinkSteps, reproduction: { failed: 0, runs: 0, rate: 0, interval: wilson(0, 0) }, failures: m.failures }
      : { kind: 'interrupted' };
    await hooks.checkpoint?.(summarize(outcome, null, false));
  }
  await checkpoint();
  const details = await fc.check(
    fc.asyncProperty(scheduleArbitrary(scenario), async (raw) => {
      if (stop.aborted) return true;
      if (!property.target && !property.canExplore()) return true; // no time left to run and estimate a schedule
      tried++;
      phase = property.target ? 'shrinking' : 'exploring';
      progress(`schedule ${tried}: running (${property.trials} trials so far)`);
      const known = property.minimal;
      const holds = await property.check(sortSchedule(raw));
      if (property.minimal !== known) {
        // A new or smaller failure: on disk at once, so neither an interrupt nor a SIGKILL can lose it.
        journal.phase('shrinking', property.target?.signature);
        await checkpoint();
      }
      phase = property.target ? 'shrinking' : 'exploring';
      progress(
        property.target
          ? `shrinking ${property.target.signature}: ${property.minimal!.schedule.length} event(s) after ${property.shrinkSteps} step(s), ${property.trials} trials`
          : `schedule ${tried}: ${holds ? 'held' : 'failed'} (${property.trials} trials)`,
      );
      return holds;
    }),
    {
      numRuns: runs,
      seed,
      examples: (hooks.examples ?? []).map((schedule) => [schedule]),
      interruptAfterTimeLimit: budgetMs,
      markInterruptAsFailure: false,
    },
  );

  if (property.target && !stop.aborted) {
    // The last share of shrinking: try the minimal schedule without its second terminating signal.
    phase = 'shrinking';
    const known = property.minimal;
    await property.dropSecondSignals();
    if (property.minimal !== known) await checkpoint();
  }

  if (stop.aborted && !property.minimal) return { summary: summarize({ kind: 'interrupted' }, details.counterexamplePath ?? null) };
  if (!property.minimal) return { summary: summarize({ kind: 'passed' }, details.counterexamplePath ?? null) };
  const signature = property.target!.signature;
  const confirmed = await confirmShrinkPath(property.accepted, signature, trial, {
    runs: confirmRuns,
    parallel,
    budget,
    signal: stop,
    onStep: (step) => {
      phase = 'confirming';
      progress(`confirming a ${step.schedule.length}-event schedule ${confirmRuns} times`);
      journal.phase('confirming', `${step.schedule.length} event(s)`);
    },
  });
  confirmDone = confirmed.runs;
  const { chosen, skipped } = confirmed;
  let reproduction: Reproduction = confirmed.reproduction;
  // Confirmation cut before its first run: the first failure's own re-runs (its estimate) are the best evidence left.
  const estimated = property.findings.find((f) => f.signature === signature && f.confirmed && f.schedule === chosen.schedule);
  if (reproduction.runs === 0 && estimated) {
    const { k, n } = estimated.reproduced;
    reproduction = { failed: k, runs: n, rate: k / n, interval: wilson(k, n), fromEstimate: true };
  }
  const outcome: FuzzOutcome = {
    kind: 'failed',
    signature,
    minimal: chosen.schedule,
    original: property.original!,
    shrinkSteps: property.shrinkSteps,
    reproduction,
    failures: chosen.failures,
    ...(skipped.length ? { notReproduced: skipped } : {}),
  };
  return { summary: summarize(outcome, details.counterexamplePath ?? null), ...(confirmed.record ? { trial: confirmed.record } : {}) };
}
