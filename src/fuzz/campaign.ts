import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Backend, BackendChoice } from '../backends/backend.js';
import { selectBackend } from '../backends/select.js';
import { SigstormError } from '../errors.js';
import { describeEvent, type Schedule } from '../faults/event.js';
import { judge } from '../oracles/judge.js';
import type { OracleResult } from '../oracles/verdict.js';
import { displayPath } from '../report/display-path.js';
import type { ReportHeader } from '../report/report.js';
import { writeReport } from '../report/write.js';
import { newRunId } from '../run-id.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { runTrial } from '../trial/trial.js';
import { VERSION } from '../version.js';
import { scheduleArbitrary, sortSchedule } from './arbitrary.js';
import { loadFindings, saveFinding } from './findings.js';
import { FlakyProperty, signatureOf, type Finding, type TrialOutcome } from './flaky.js';
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
  onProgress?: (line: string) => void;
}

export interface Reproduction {
  failed: number;
  runs: number;
  rate: number;
  interval: { low: number; high: number };
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

export interface FuzzReport extends ReportHeader<'fuzz'> {
  seed: number;
  /** fast-check's path to the counterexample: with the seed it regenerates it. */
  path: string | null;
  schedulesTried: number;
  trialsRun: number;
  infrastructureErrors: number;
  durationMs: number;
  /** From the start of the campaign to the first confirmed failure. */
  timeToFirstFailureMs: number | null;
  verdict: 'pass' | 'fail' | 'unknown';
  interrupted: boolean;
  outcome: FuzzOutcome;
  /** The minimal schedule step by step: "+120 ms SIGTERM→main". */
  minimalSteps: string[];
  /** Other failures met on the way (different signatures, or never reproduced). */
  findings: Finding[];
  shrinkBudgetExhausted: boolean;
  replay: string | null;
}

export interface FuzzResult {
  report: FuzzReport;
  reportPath: string;
}

/** How many smaller schedules confirmation may reject before it settles for the original. */
const MAX_WALK_BACK = 3;

export const defaultParallelism = (): number => Math.max(1, Math.min(4, availableParallelism()));

/** One campaign: generate schedules, find a failure, shrink it flaky-aware, confirm it, report it. */
export async function fuzz(scenarioOrPath: string | Scenario, options: FuzzOptions = {}): Promise<FuzzResult> {
  const scenario = typeof scenarioOrPath === 'string' ? await loadScenario(scenarioOrPath) : scenarioOrPath;
  const backend = await selectBackend(options.backend ?? 'auto', scenario);
  await backend.prepare(scenario.target);
  const runId = options.runId ?? newRunId();
  const reportDir = options.reportDir ?? 'reports';
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const budgetMs = options.budgetMs ?? 5 * 60_000;
  const parallel = options.parallel ?? defaultParallelism();
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);

  const trial = trialFunction(scenario, backend, runId, options.signal);
  const property = new FlakyProperty(trial, {
    estimateRuns: 3,
    maxCleanRuns: 8,
    infraRetries: 2,
    shrinkTrials: 200,
    shrinkMs: Math.max(30_000, budgetMs / 2),
    parallel,
  });
  const saved = await loadFindings(reportDir, scenario.name);
  let tried = 0;
  const details = await fc.check(
    fc.asyncProperty(scheduleArbitrary(scenario), async (raw) => {
      if (options.signal?.aborted) return true;
      tried++;
      const holds = await property.check(sortSchedule(raw));
      progress(
        property.target
          ? `shrinking ${property.target.signature}: ${property.minimal!.schedule.length} event(s) after ${property.shrinkSteps} step(s), ${property.trials} trials`
          : `schedule ${tried}: ${holds ? 'held' : 'failed'} (${property.trials} trials)`,
      );
      return holds;
    }),
    {
      numRuns: options.runs ?? 50,
      seed,
      examples: saved.map((f) => [f.schedule]),
      interruptAfterTimeLimit: budgetMs,
      markInterruptAsFailure: false,
    },
  );

  let outcome: FuzzOutcome;
  if (options.signal?.aborted && !property.minimal) outcome = { kind: 'interrupted' };
  else if (!property.minimal) outcome = { kind: 'passed' };
  else {
    const signature = property.target!.signature;
    // A candidate that failed once while shrinking may fail too rarely to be any use: walk back along the shrink
    // path to the smallest schedule that reproduces in confirmation.
    const path = [...property.accepted].reverse();
    let chosen = path[0]!;
    let reproduction: Reproduction | undefined;
    const skipped: Schedule[] = [];
    for (const [i, step] of path.entries()) {
      if (i >= MAX_WALK_BACK && step !== path.at(-1)) continue;
      progress(`confirming a ${step.schedule.length}-event schedule ${options.confirmRuns ?? 20} times`);
      const r = await confirm(trial, step.schedule, signature, options.confirmRuns ?? 20, parallel, options.signal);
      chosen = step;
      reproduction = r;
      if (r.failed > 0 || options.signal?.aborted) break;
      skipped.push(step.schedule);
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
    await saveFinding(reportDir, scenario.name, { signature, schedule: chosen.schedule, foundAt: new Date().toISOString(), runId });
  }

  const reportPath = join(reportDir, scenario.name, runId, 'report.json');
  const report: FuzzReport = {
    schemaVersion: 1,
    tool: { name: 'sigstorm', version: VERSION },
    command: 'fuzz',
    runId,
    createdAt: new Date(started).toISOString(),
    scenario: { name: scenario.name, path: scenario.path },
    backend: backend.name,
    seed,
    path: details.counterexamplePath ?? null,
    schedulesTried: tried,
    trialsRun: property.trials + (outcome.kind === 'failed' ? outcome.reproduction.runs : 0),
    infrastructureErrors: property.infrastructureErrors,
    durationMs: Date.now() - started,
    timeToFirstFailureMs: property.firstFailureAt !== undefined ? property.firstFailureAt - started : null,
    verdict: outcome.kind === 'failed' ? 'fail' : outcome.kind === 'passed' ? 'pass' : 'unknown',
    interrupted: options.signal?.aborted ?? false,
    outcome,
    minimalSteps: outcome.kind === 'failed' ? outcome.minimal.map(describeEvent) : [],
    findings: property.findings.filter((f) => outcome.kind !== 'failed' || f.signature !== outcome.signature || !f.confirmed),
    shrinkBudgetExhausted: property.budgetExhausted,
    replay: outcome.kind === 'failed' ? `npx sigstorm replay ${displayPath(reportPath)} --times 20` : null,
  };
  await writeReport(report, reportDir);
  return { report, reportPath };
}

/** Runs one trial and reduces it to what the fuzzer needs; infrastructure trouble is reported, not thrown. */
export function trialFunction(scenario: Scenario, backend: Backend, runId: string, signal?: AbortSignal) {
  let n = 0;
  return async (schedule: Schedule): Promise<TrialOutcome> => {
    if (signal?.aborted) return { kind: 'pass' };
    try {
      const record = await runTrial({ scenario, backend, schedule, runId: `${runId}-${++n}`, ...(signal ? { signal } : {}) });
      if (signal?.aborted) return { kind: 'pass' }; // an interrupted trial decides nothing
      const { verdict, results } = judge(record);
      if (verdict !== 'fail') return { kind: 'pass' };
      const failures = results.filter((r) => r.verdict === 'fail');
      return { kind: 'fail', signatures: failures.map(signatureOf), failures };
    } catch (error) {
      if (error instanceof SigstormError && error.kind === 'infrastructure') return { kind: 'infrastructure', error: error.message };
      throw error;
    }
  };
}

/**
 * Re-runs a schedule `runs` times, `parallel` at once, counting failures with `signature` (any failure when it
 * is undefined).
 */
export async function confirm(
  trial: (s: Schedule) => Promise<TrialOutcome>,
  schedule: Schedule,
  signature: string | undefined,
  runs: number,
  parallel: number,
  signal?: AbortSignal,
): Promise<Reproduction> {
  let failed = 0;
  let done = 0;
  while (done < runs && !signal?.aborted) {
    const batch = Math.min(parallel, runs - done);
    const outcomes = await Promise.all(Array.from({ length: batch }, () => trial(schedule)));
    failed += outcomes.filter((o) => o.kind === 'fail' && (signature === undefined || o.signatures.includes(signature))).length;
    done += batch;
  }
  return { failed, runs: done, rate: done ? failed / done : 0, interval: wilson(failed, done) };
}
