import type { BackendChoice } from '../backends/backend.js';
import { badInput, ExitCode, SigstormError } from '../errors.js';
import { fuzz, type FuzzReport } from '../fuzz/campaign.js';
import { parseShard, seedFor, selectShard } from '../fuzz/shard.js';
import { displayPath } from '../report/display-path.js';
import { formatFuzz } from '../report/fuzz-text.js';
import { fromError, fromFuzzReport, resultSet, skipped, type ScenarioResult } from '../report/result.js';
import { UnsavedReport } from '../report/write.js';
import { parseDuration } from '../time.js';
import { reportError } from './main.js';
import { writeOutputs } from './outputs.js';
import { ProgressDisplay, progressMode } from './progress.js';
import { onInterrupt } from './interrupt.js';
import { warnAboutLeftovers } from './leftovers.js';
import { count, reportDir, seed } from './options.js';
import { expandScenarioPaths } from './validate.js';

export interface FuzzArgs {
  scenarios: string[];
  backend: BackendChoice;
  runs: number;
  budget: string;
  seed?: number | undefined;
  parallel?: number | undefined;
  confirm: number;
  reportDir: string;
  json: boolean;
  quiet: boolean;
  failFast: boolean;
  shard?: string | undefined;
  junit?: string | undefined;
  summary?: string | undefined;
  html?: string | undefined;
}

/**
 * One campaign per scenario (of this shard), one combined result: written as result.json (and JUnit, Markdown,
 * HTML on request), exit status the worst of the scenarios'. With --fail-fast the first confirmed failure ends
 * the run and the scenarios after it are reported as skipped.
 */
export async function fuzzCommand(args: FuzzArgs): Promise<number> {
  const budgetMs = parseDuration(args.budget);
  if (budgetMs === undefined || budgetMs <= 0) throw badInput(`--budget: expected a duration such as 90s or 10m, got ${JSON.stringify(args.budget)}`);
  count('--runs', args.runs);
  count('--confirm', args.confirm, 100_000);
  if (args.parallel !== undefined) count('--parallel', args.parallel, 64);
  seed(args.seed);
  reportDir(args.reportDir);
  const shard = args.shard !== undefined ? parseShard(args.shard) : undefined;
  const files = selectShard((await expandScenarioPaths(args.scenarios)).map(displayPath), shard);
  // Every scenario's seed comes from one base seed and its path, so a shard runs it exactly as an unsharded run would.
  const baseSeed = args.seed ?? Math.floor(Math.random() * 2 ** 31);
  const display = new ProgressDisplay(progressMode(args.quiet));
  const interrupt = onInterrupt();
  await warnAboutLeftovers();
  const started = Date.now();
  const results: ScenarioResult[] = [];
  let stopped = false;
  try {
    for (const [index, file] of files.entries()) {
      if (interrupt.signal.aborted) {
        results.push(skipped(file, 'not run: sigstorm was interrupted'));
        continue;
      }
      if (stopped) {
        results.push(skipped(file, 'not run: --fail-fast stopped the campaign at the first confirmed failure'));
        continue;
      }
      display.start(file, index, files.length);
      try {
        const { report, reportPath } = await fuzz(file, {
          backend: args.backend,
          runs: args.runs,
          budgetMs,
          seed: seedFor(baseSeed, file),
          confirmRuns: args.confirm,
          reportDir: args.reportDir,
          signal: interrupt.signal,
          ...(args.parallel !== undefined ? { parallel: args.parallel } : {}),
          onProgress: display.update,
        });
        display.clear();
        if (!args.json && !args.quiet) process.stdout.write(`${formatFuzz(report, reportPath)}\n`);
        results.push(fromFuzzReport(report, displayPath(reportPath)));
        if (report.error) process.stderr.write(`sigstorm: ${report.error.message}\n  The campaign stopped early; what it found is in the report.\n`);
        if (args.failFast && report.verdict === 'fail') stopped = true;
      } catch (error) {
        display.clear();
        const code = reportError(error);
        const kind = error instanceof SigstormError ? error.kind : 'internal';
        const message = (error as Error)?.message ?? String(error);
        // A report that could not be written still has its verdict: keep it in the combined result.
        const unsaved = error instanceof UnsavedReport ? (error.report as FuzzReport) : undefined;
        results.push(unsaved ? { ...fromFuzzReport(unsaved), exitCode: code, error: { kind, message } } : fromError(file, { kind, message }, code));
      }
    }
  } finally {
    display.clear();
    interrupt.dispose();
  }
  const set = resultSet(results, { shards: shard ? [shard] : [], baseSeed, interrupted: Boolean(interrupt.by), durationMs: Date.now() - started });
  await writeOutputs(set, { reportDir: args.reportDir, junit: args.junit, summary: args.summary, html: args.html, print: args.json ? 'json' : 'verdict' });
  if (interrupt.exitCode) return interrupt.exitCode;
  return files.length ? set.exitCode : ExitCode.ok;
}
