import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BackendChoice } from '../backends/backend.js';
import { amplifySearch, type Arm, type SearchResult } from '../fuzz/amplify.js';
import { closerAnchors } from '../fuzz/closer-anchors.js';
import { neighbourhoodOf, type Neighbourhood } from '../fuzz/neighbourhood.js';
import { describeChanges } from '../fuzz/variant-changes.js';
import { variantScenario, type Variant } from '../fuzz/variant.js';
import { Budget } from '../fuzz/budget.js';
import type { TrialFn } from '../fuzz/trial-fn.js';
import { defaultParallelism } from '../fuzz/parallelism.js';
import { wilson } from '../fuzz/wilson.js';
import type { Reproduction } from '../report/fuzz-report.js';
import type { ReportHeader } from '../report/report.js';
import { readFinding } from '../report/read.js';
import { replayReportCommand } from '../report/replay-command.js';
import { newRunId } from '../run-id.js';
import { loadScenario } from '../scenario/load.js';
import { describeEvent, type Schedule } from '../schedule/event.js';
import { parseSchedule } from '../schedule/parse.js';
import { checkedSchedule, openScenario, prepare } from './open.js';
import { reportHeader } from './report.js';
import { trialFunction } from './trial.js';

export interface AmplifyOptions {
  /** Wall-clock budget in ms (default 5 minutes). */
  budgetMs?: number;
  backend?: BackendChoice;
  parallel?: number;
  /** Runs of a candidate before it may replace the best so far (default 20). */
  confirmRuns?: number;
  /** The rate at which the search stops (default 0.9). */
  goal?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface AmplifiedVariant {
  schedule: Schedule;
  steps: string[];
  workloadScale: number;
  /** CPUs the target was limited to (absent: none). */
  cpus?: number;
  reproduction: Reproduction;
}

/** The amplify report: also a report `replay` reads (its `outcome.minimal` is the best variant's schedule). */
export interface AmplifyReport extends ReportHeader<'amplify'> {
  /** The report amplified. */
  from: string;
  signature: string;
  original: AmplifiedVariant;
  best: AmplifiedVariant & { changes: string[] };
  /** Every variant proposed, in the order tried (the original first), with what it changes and how often it failed (0 runs: the budget ended first). */
  variants: (AmplifiedVariant & { changes: string[] })[];
  /** Whether the best fails at least `goal` of the time with a lower bound above the original's upper bound. */
  goalMet: boolean;
  goal: number;
  variantsTried: number;
  trialsRun: number;
  durationMs: number;
  budgetMs: number;
  /** What `replay` plays: the best variant, under its workload scale and CPU limit. */
  outcome: { kind: 'failed'; signature: string; minimal: Schedule; reproduction: Reproduction };
  workloadScale: number;
  cpus?: number;
  replay: string;
}

export interface AmplifyResult {
  report: AmplifyReport;
  reportPath: string;
}

const reproduction = (a: Arm): Reproduction => ({ failed: a.failed, runs: a.runs, rate: a.runs ? a.failed / a.runs : 0, interval: wilson(a.failed, a.runs) });

/**
 * Searches the neighbourhood of a finding's minimal schedule for the variant that fails with the same signature
 * most often, and writes the amplify report beside the report it read (amplify.json).
 */
export async function amplify(file: string, options: AmplifyOptions = {}): Promise<AmplifyResult> {
  const finding = await readFinding(file);
  const scenario = await loadScenario(finding.path);
  const schedule = checkedSchedule(parseSchedule(finding.events, file), scenario);
  const session = await openScenario(scenario, options.backend ?? finding.backend);
  await prepare(session);
  const runId = newRunId();
  const started = Date.now();
  const budgetMs = options.budgetMs ?? 5 * 60_000;
  const goal = options.goal ?? 0.9;
  const trials = new Map<string, TrialFn>();
  const trialAt = (v: Variant) => {
    const key = `x${v.workloadScale}${v.cpus !== undefined ? `-cpu${v.cpus}` : ''}`;
    if (!trials.has(key)) trials.set(key, trialFunction({ ...session, scenario: variantScenario(session.scenario, v) }, `${runId}-${key}`, options.signal));
    return trials.get(key)!;
  };
  const original: Variant = { schedule, workloadScale: finding.workloadScale, ...(finding.cpus !== undefined ? { cpus: finding.cpus } : {}) };
  const space = neighbourhoodOf(scenario);
  // The failing trial's signals timed from the write or line nearest before them: tried with the first round.
  const closer = finding.trial ? closerAnchors(schedule, finding.trial, { step: scenario.faults.step, horizon: scenario.faults.horizon, horizonMax: scenario.faults.horizonMax }) : [];
  const result = await amplifySearch({
    original,
    extra: closer.map((s) => ({ ...original, schedule: s })),
    recorded: finding.recorded,
    space,
    run: async (v) => {
      const outcome = await trialAt(v)(v.schedule);
      if (options.signal?.aborted || outcome.kind === 'infrastructure') return undefined;
      return outcome.kind === 'fail' && outcome.signatures.includes(finding.signature);
    },
    parallel: options.parallel ?? defaultParallelism(),
    budget: new Budget(started, budgetMs),
    confirmRuns: options.confirmRuns ?? 20,
    goal,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const reportPath = join(dirname(file), 'amplify.json');
  const report: AmplifyReport = {
    ...reportHeader(session, 'amplify', runId, new Date(started)),
    scenario: { name: scenario.name, path: scenario.path },
    from: file,
    signature: finding.signature,
    ...searchReport(result, space, finding.signature),
    goal,
    durationMs: Date.now() - started,
    budgetMs,
    replay: replayReportCommand(reportPath),
  };
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  return { report, reportPath };
}

const variantOf = (a: Arm): AmplifiedVariant => ({
  schedule: a.variant.schedule,
  steps: a.variant.schedule.map(describeEvent),
  workloadScale: a.variant.workloadScale,
  ...(a.variant.cpus !== undefined ? { cpus: a.variant.cpus } : {}),
  reproduction: reproduction(a),
});

/** The search's part of the report: the original, the best, every variant tried with its changes, and what `replay` plays. */
function searchReport(result: SearchResult, space: Neighbourhood, signature: string) {
  const { original, best } = result;
  const changed = (a: Arm) => ({ ...variantOf(a), changes: describeChanges(original.variant, a.variant, space) });
  return {
    original: variantOf(original),
    best: changed(best),
    variants: result.arms.map(changed),
    goalMet: result.goalMet,
    variantsTried: result.arms.length,
    trialsRun: result.trials,
    outcome: { kind: 'failed' as const, signature, minimal: best.variant.schedule, reproduction: reproduction(best) },
    workloadScale: best.variant.workloadScale,
    ...(best.variant.cpus !== undefined ? { cpus: best.variant.cpus } : {}),
  };
}
