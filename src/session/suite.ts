import { SigstormError, exitCodeOf } from '../errors.js';
import type { FuzzReport } from '../report/fuzz-report.js';
import { displayPath } from '../report/display-path.js';
import { fromError, fromFuzzReport, resultSet, skipped, type ResultSet, type ScenarioResult, type Shard } from '../report/result.js';
import { UnsavedReport } from '../report/write.js';
import { fuzz, type FuzzOptions } from './fuzz.js';
import { expandScenarioPaths } from './scenario-paths.js';
import { seedFor, selectShard } from './shard.js';

/** The scenarios a suite runs: directories expanded, this shard's share of them. */
export interface SuitePlan {
  scenarios: string[];
  shard?: Shard;
}

/** Plans a suite from scenario files and directories. Bad input (a missing file, an empty directory) throws here. */
export async function planSuite(paths: string[], shard?: Shard): Promise<SuitePlan> {
  const scenarios = selectShard((await expandScenarioPaths(paths)).map(displayPath), shard);
  return { scenarios, ...(shard ? { shard } : {}) };
}

export interface SuiteOptions extends Omit<FuzzOptions, 'seed' | 'runId'> {
  /** The base seed: each scenario's seed derives from it and the scenario's path (so any shard runs it alike). */
  seed?: number;
  /** Stop at the first confirmed failure: the scenarios after it are reported as skipped. */
  failFast?: boolean;
  /** A campaign begins. */
  onStart?: (scenario: string, index: number, total: number) => void;
  /** A campaign ended with its report, or with an error (its report could not be written, or it never started). */
  onReport?: (report: FuzzReport, reportPath: string) => void;
  onError?: (error: unknown, scenario: string) => void;
}

/**
 * One campaign per scenario of the plan, one combined result set; its exit status is the worst of the scenarios'.
 * An interrupt (`signal`) or `failFast` leaves the remaining scenarios skipped.
 */
export async function fuzzSuite(plan: SuitePlan, options: SuiteOptions = {}): Promise<ResultSet> {
  const { seed, failFast, onStart, onReport, onError, ...fuzzOptions } = options;
  const baseSeed = seed ?? Math.floor(Math.random() * 2 ** 31);
  const started = Date.now();
  const results: ScenarioResult[] = [];
  let stopped = false;
  for (const [index, file] of plan.scenarios.entries()) {
    if (options.signal?.aborted) {
      results.push(skipped(file, 'not run: sigstorm was interrupted'));
      continue;
    }
    if (stopped) {
      results.push(skipped(file, 'not run: --fail-fast stopped the campaign at the first confirmed failure'));
      continue;
    }
    onStart?.(file, index, plan.scenarios.length);
    try {
      const { report, reportPath } = await fuzz(file, { ...fuzzOptions, seed: seedFor(baseSeed, file) });
      onReport?.(report, reportPath);
      results.push(fromFuzzReport(report, displayPath(reportPath)));
      if (failFast && report.verdict === 'fail') stopped = true;
    } catch (error) {
      onError?.(error, file);
      const code = exitCodeOf(error);
      const kind = error instanceof SigstormError ? error.kind : 'internal';
      const message = (error as Error)?.message ?? String(error);
      // A report that could not be written still has its verdict: keep it in the combined result.
      const unsaved = error instanceof UnsavedReport ? (error.report as FuzzReport) : undefined;
      results.push(unsaved ? { ...fromFuzzReport(unsaved), exitCode: code, error: { kind, message } } : fromError(file, { kind, message }, code));
    }
  }
  return resultSet(results, { shards: plan.shard ? [plan.shard] : [], baseSeed, interrupted: options.signal?.aborted ?? false, durationMs: Date.now() - started });
}
