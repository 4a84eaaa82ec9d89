import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Backend, BackendChoice } from '../backends/backend.js';
import { engineLost } from '../backends/docker/engine.js';
import { selectBackend } from '../backends/select.js';
import { SigstormError } from '../errors.js';
import { describeEvent, type Schedule } from '../faults/event.js';
import { judge } from '../oracles/judge.js';
import type { OracleResult } from '../oracles/verdict.js';
import { displayPath } from '../report/display-path.js';
import { redact, redactError, secretsOf } from '../report/redact.js';
import type { ReportHeader } from '../report/report.js';
import { writeHtmlBeside } from '../report/html-file.js';
import { fromFuzzReport } from '../report/result.js';
import { writeReport } from '../report/write.js';
import { journal } from '../leftovers/journal.js';
import { newRunId } from '../run-id.js';
import { shellQuote } from '../run.js';
import { loadScenario } from '../scenario/load.js';
import type { CoverageNote } from '../scenario/coverage.js';
import type { Scenario } from '../scenario/types.js';
import type { TrialRecord } from '../trial/record.js';
import { runTrial } from '../trial/trial.js';
import { VERSION } from '../version.js';
import { scheduleArbitrary, sortSchedule } from './arbitrary.js';
import { Budget, worstCaseTrialMs } from './budget.js';
import { loadFindings, saveFinding } from './findings.js';
import { FlakyProperty, signatureOf, type FailingStep, type Finding, type TrialOutcome } from './flaky.js';
import { wilson } from './wilson.js';

export interface FuzzOptions {
  backend?: BackendChoice;
  /** Generated schedules to try (fast-check numRuns). */
  runs?: number;
  /** Wall-clock budget of the whole campaign in ms. */
  budgetMs?: number;
  seed?: number;
  /** Trials run at once when re-running a schedule (estimation, a shrink candidate's clean runs, confirmation). */
  parallel?: number;
  /** Re-runs of the minimal schedule for its reproduction rate. */
  confirmRuns?: number;
  reportDir?: string;
  runId?: string;
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

export interface Reproduction {
  failed: number;
  runs: number;
  rate: number;
  interval: { low: number; high: number };
  /** The budget left no time to confirm: these are the first failure's estimate runs (the same schedule). */
  fromEstimate?: boolean;
}

/** The outcome of a campaign (a tagged union, like fast-check's RunDetails). */
export type FuzzOutcome =
  | { kind: 'passed' }
  | {
      kind: 'failed';
      signature: string;
      minimal: Schedule;
      original: Schedule;
      shrinkSteps: number;
      reproduction: Reproduction;
      failures: OracleResult[];
      /** Smaller schedules met while shrinking that did not fail again in confirmation. */
      notReproduced?: Schedule[];
    }
  | { kind: 'interrupted' };

/** What the budget cut short (the first phase it cut, and how much of confirmation ran). */
export interface CampaignCut {
  phase: 'exploring' | 'estimating' | 'shrinking' | 'confirming';
  reason: 'budget';
  schedules?: { done: number; planned: number };
  confirmRuns?: { done: number; planned: number };
  /** The same, as one sentence for people. */
  message: string;
}

export interface FuzzReport extends ReportHeader<'fuzz'> {
  seed: number;
  /** fast-check's path to the counterexample: with the seed it regenerates it. */
  path: string | null;
  schedulesTried: number;
  trialsRun: number;
  infrastructureErrors: number;
  durationMs: number;
  /** `--budget`, and the longest one trial of the scenario can take: the campaign ends by their sum. */
  budgetMs: number;
  worstCaseTrialMs: number;
  /** Set when the budget ran out before the campaign was done: what it cut. */
  cut?: CampaignCut;
  /** From the start of the campaign to the first confirmed failure. */
  timeToFirstFailureMs: number | null;
  verdict: 'pass' | 'fail' | 'unknown';
  interrupted: boolean;
  /** Set when the environment failed for good and the campaign stopped early (what it found is kept). */
  error?: { kind: string; message: string };
  /** False in the checkpoints written while the campaign runs: a run that died left this partial report. */
  complete: boolean;
  outcome: FuzzOutcome;
  /** The minimal schedule step by step: "+120 ms SIGTERM→main". */
  minimalSteps: string[];
  /** Other failures met on the way (different signatures, or never reproduced). */
  findings: Finding[];
  shrinkBudgetExhausted: boolean;
  replay: string | null;
  /** One trial of the minimal failing schedule that failed with its signature, for the timeline and `analyze`. */
  trial?: TrialRecord;
  /** Signals orchestrators send that this campaign's fault space left out (never a failure). */
  coverage: CoverageNote[];
}

export interface FuzzResult {
  report: FuzzReport;
  reportPath: string;
}

/** How many smaller schedules confirmation may reject before it settles for the original. */
const MAX_WALK_BACK = 3;
/** At most this share of the budget is kept from shrinking for confirmation. */
const CONFIRM_SHARE = 0.25;
const ESTIMATE_RUNS = 3;

export const defaultParallelism = (): number => Math.max(1, Math.min(4, availableParallelism()));

/** One campaign: generate schedules, find a failure, shrink it flaky-aware, confirm it, report it. */
export async function fuzz(scenarioOrPath: string | Scenario, options: FuzzOptions = {}): Promise<FuzzResult> {
  const scenario = typeof scenarioOrPath === 'string' ? await loadScenario(scenarioOrPath) : scenarioOrPath;
  const backend = await selectBackend(options.backend ?? 'auto', scenario);
  journal.phase('prepare', scenario.name);
  const secrets = secretsOf(scenario.target, process.env);
  await backend.prepare(scenario.target).catch((error: unknown) => {
    throw redactError(error, secrets); // a failed build step quotes its command line and output
  });
  const runId = options.runId ?? newRunId();
  const reportDir = options.reportDir ?? 'reports';
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
  const run = trialFunction(scenario, backend, runId, stop, (error) => {
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
  const saved = await loadFindings(reportDir, scenario.name);

  const reportPath = join(reportDir, scenario.name, runId, 'report.json');
  /** The report as it stands; `complete` is false for the checkpoints written while the campaign runs. */
  function makeReport(outcome: FuzzOutcome, path: string | null, complete = true, trialRecord?: TrialRecord): FuzzReport {
    const cut = complete ? cutOf(outcome) : undefined;
    // Failure messages quote the target's output: nothing it was given as a secret may reach the report.
    return redact<FuzzReport>({
      schemaVersion: 1,
      tool: { name: 'sigstorm', version: VERSION },
      command: 'fuzz',
      runId,
      createdAt: new Date(started).toISOString(),
      scenario: { name: scenario.name, path: scenario.path },
      backend: backend.name,
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
      replay: outcome.kind === 'failed' ? `npx sigstorm replay ${shellQuote(displayPath(reportPath))} --times 20` : null,
      ...(trialRecord ? { trial: trialRecord } : {}),
      coverage: scenario.coverage,
    }, secrets);
  }
  /** What a reader finds if this campaign dies now: the smallest failure so far, not yet confirmed. */
  async function checkpoint(): Promise<void> {
    const m = property.minimal;
    const outcome: FuzzOutcome = m
      ? { kind: 'failed', signature: property.target!.signature, minimal: m.schedule, original: property.original!, shrinkSteps: property.shrinkSteps, reproduction: { failed: 0, runs: 0, rate: 0, interval: wilson(0, 0) }, failures: m.failures }
      : { kind: 'interrupted' };
    await writeReport(makeReport(outcome, null, false), reportDir).catch(() => undefined);
  }
  /** What the budget cut short, if anything (an interrupt is not a cut: the report says `interrupted`). */
  function cutOf(outcome: FuzzOutcome): CampaignCut | undefined {
    if (stop.aborted) return undefined;
    const confirming = confirmDone && confirmDone.done < confirmDone.planned ? confirmDone : undefined;
    const phase: CampaignCut['phase'] | undefined =
      outcome.kind === 'passed' && tried < runs && property.exploreCut
        ? 'exploring'
        : property.estimateCut
          ? 'estimating'
          : property.budgetExhausted
            ? 'shrinking'
            : confirming
              ? 'confirming'
              : undefined;
    if (!phase) return undefined;
    const parts = [
      phase === 'exploring' ? `${tried} of ${runs} schedules tried` : undefined,
      phase === 'estimating' ? 'the first failure was re-run fewer than 3 times' : undefined,
      property.budgetExhausted ? 'shrinking was cut: the schedule is the smallest found so far' : undefined,
      confirming ? `confirmation ran ${confirming.done} of ${confirming.planned} runs` : undefined,
    ].filter(Boolean);
    return {
      phase,
      reason: 'budget',
      ...(phase === 'exploring' ? { schedules: { done: tried, planned: runs } } : {}),
      ...(confirming ? { confirmRuns: confirming } : {}),
      message: `budget of ${formatSeconds(budgetMs)} spent while ${phase}: ${parts.join('; ')}`,
    };
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
      examples: saved.map((f) => [f.schedule]),
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

  let outcome: FuzzOutcome;
  let trialRecord: TrialRecord | undefined;
  if (stop.aborted && !property.minimal) outcome = { kind: 'interrupted' };
  else if (!property.minimal) outcome = { kind: 'passed' };
  else {
    const signature = property.target!.signature;
    // A candidate that failed once while shrinking may fail too rarely to be any use: walk back along the shrink
    // path to the smallest schedule that reproduces in confirmation.
    const path = [...property.accepted].reverse();
    let chosen: FailingStep = path[0]!;
    let reproduction: Reproduction | undefined;
    const skipped: Schedule[] = [];
    for (const [i, step] of path.entries()) {
      if (i >= MAX_WALK_BACK && step !== path.at(-1)) continue;
      if (reproduction && !budget.fits()) break; // no time to walk further back: keep the smallest confirmed so far
      phase = 'confirming';
      progress(`confirming a ${step.schedule.length}-event schedule ${confirmRuns} times`);
      journal.phase('confirming', `${step.schedule.length} event(s)`);
      const { record, ...r } = await confirm(trial, step.schedule, signature, confirmRuns, parallel, stop, budget);
      confirmDone = { done: r.runs, planned: confirmRuns };
      chosen = step;
      reproduction = r;
      trialRecord = record ?? step.record;
      if (r.failed > 0 || stop.aborted || r.runs < confirmRuns) break; // found, or cut: keep this one
      skipped.push(step.schedule);
    }
    // Confirmation cut before its first run: the first failure's own re-runs (its estimate) are the best evidence left.
    const estimated = property.findings.find((f) => f.signature === signature && f.confirmed && f.schedule === chosen.schedule);
    if (reproduction!.runs === 0 && estimated) {
      const { k, n } = estimated.reproduced;
      reproduction = { failed: k, runs: n, rate: k / n, interval: wilson(k, n), fromEstimate: true };
    }
    outcome = {
      kind: 'failed',
      signature,
      minimal: chosen.schedule,
      original: property.original!,
      shrinkSteps: property.shrinkSteps,
      reproduction: reproduction!,
      failures: chosen.failures,
      ...(skipped.length ? { notReproduced: skipped } : {}),
    };
    // The report below holds the finding too: failing to add it to the database must not lose the campaign.
    await saveFinding(reportDir, scenario.name, { signature, schedule: chosen.schedule, foundAt: new Date().toISOString(), runId }).catch((error: Error) =>
      process.stderr.write(`sigstorm: warning: cannot save the finding to ${reportDir}: ${error.message}\n`),
    );
  }

  journal.phase('reporting', scenario.name);
  const report = makeReport(outcome, details.counterexamplePath ?? null, true, trialRecord);
  await writeReport(report, reportDir);
  await writeHtmlBeside(reportPath, (shown) => fromFuzzReport(report, shown));
  return { report, reportPath };
}


/** Runs one trial and reduces it to what the fuzzer needs; infrastructure trouble is reported, not thrown. */
export function trialFunction(scenario: Scenario, backend: Backend, runId: string, signal?: AbortSignal, onFatal?: (error: SigstormError) => void) {
  let n = 0;
  return async (schedule: Schedule): Promise<TrialOutcome> => {
    if (signal?.aborted) return { kind: 'pass' };
    try {
      const record = await runTrial({ scenario, backend, schedule, runId: `${runId}-${++n}`, ...(signal ? { signal } : {}) });
      if (signal?.aborted) return { kind: 'pass' }; // an interrupted trial decides nothing
      const { verdict, results } = judge(record);
      if (verdict !== 'fail') return { kind: 'pass' };
      const failures = results.filter((r) => r.verdict === 'fail');
      return { kind: 'fail', signatures: failures.map(signatureOf), failures, record };
    } catch (error) {
      const lost = backend.name === 'docker' && !signal?.aborted ? await engineLost(error) : undefined;
      if (lost) onFatal?.(lost);
      if (lost) return { kind: 'infrastructure', error: lost.message };
      if (error instanceof SigstormError && error.kind === 'infrastructure') return { kind: 'infrastructure', error: error.message };
      throw error;
    }
  };
}

/**
 * Re-runs a schedule `runs` times, `parallel` at once, counting failures with `signature` (any failure when it
 * is undefined); keeps the record of the first such failure.
 */
export async function confirm(
  trial: (s: Schedule) => Promise<TrialOutcome>,
  schedule: Schedule,
  signature: string | undefined,
  runs: number,
  parallel: number,
  signal?: AbortSignal,
  budget?: Budget,
): Promise<Reproduction & { record?: TrialRecord }> {
  let failed = 0;
  let done = 0;
  let record: TrialRecord | undefined;
  // The budget may cut confirmation: a batch starts only when it is expected to end before the deadline.
  while (done < runs && !signal?.aborted && (budget?.fits() ?? true)) {
    const batch = Math.min(parallel, runs - done);
    const once = budget ? (s: Schedule) => budget.timed(() => trial(s)) : trial;
    const outcomes = await Promise.all(Array.from({ length: batch }, () => once(schedule)));
    const failing = outcomes.filter((o) => o.kind === 'fail' && (signature === undefined || o.signatures.includes(signature)));
    record ??= failing.map((o) => (o.kind === 'fail' ? o.record : undefined)).find(Boolean);
    failed += failing.length;
    done += batch;
  }
  return { failed, runs: done, rate: done ? failed / done : 0, interval: wilson(failed, done), ...(record ? { record } : {}) };
}

const formatSeconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
