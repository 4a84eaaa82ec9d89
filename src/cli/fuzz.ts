import type { BackendChoice } from '../backends/backend.js';
import { badInput, ExitCode } from '../errors.js';
import { formatFuzz } from '../report/fuzz-text.js';
import { parseShard } from '../session/shard.js';
import { fuzzSuite, planSuite } from '../session/suite.js';
import { parseDuration } from '../time.js';
import { amplifyReport } from './amplify.js';
import { defaultFuzzBudget, interactive } from './interactive.js';
import { onInterrupt } from './interrupt.js';
import { warnAboutLeftovers } from './leftovers.js';
import { count, MAX_PARALLEL, reportDir, seed } from './options.js';
import { writeOutputs } from './outputs.js';
import { ProgressDisplay, progressMode } from './progress.js';
import { reportError } from './report-error.js';

/** A confirmed rate below this is worth amplifying: a minimal schedule that a user's replay misses one time in five or more. */
const AMPLIFY_BELOW = 0.8;

/**
 * What is left of a campaign's budget for amplifying its finding (fuzz amplifies within the same --budget), or
 * undefined when that would not fit one trial of the scenario's worst case.
 */
export function amplifyBudgetMs(report: { budgetMs: number; durationMs: number; worstCaseTrialMs: number }): number | undefined {
  const left = report.budgetMs - report.durationMs;
  return left >= report.worstCaseTrialMs ? left : undefined;
}

export interface FuzzArgs {
  scenarios: string[];
  backend: BackendChoice;
  runs?: number | undefined;
  budget?: string | undefined;
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
  amplify?: boolean | undefined;
  guided?: boolean | undefined;
}

/**
 * One campaign per scenario (of this shard), one combined result: written as result.json (and JUnit, Markdown,
 * HTML on request), exit status the worst of the scenarios'. With --fail-fast the first confirmed failure ends
 * the run and the scenarios after it are reported as skipped.
 */
export async function fuzzCommand(args: FuzzArgs): Promise<number> {
  const budget = args.budget ?? defaultFuzzBudget(interactive());
  const budgetMs = parseDuration(budget);
  if (budgetMs === undefined || budgetMs <= 0) throw badInput(`--budget: expected a duration such as 90s or 10m, got ${JSON.stringify(budget)}`);
  if (args.runs !== undefined) count('--runs', args.runs);
  count('--confirm', args.confirm, 100_000);
  if (args.parallel !== undefined) count('--parallel', args.parallel, MAX_PARALLEL);
  seed(args.seed);
  reportDir(args.reportDir);
  const plan = await planSuite(args.scenarios, args.shard !== undefined ? parseShard(args.shard) : undefined);
  const display = new ProgressDisplay(progressMode(args.quiet));
  const interrupt = onInterrupt();
  await warnAboutLeftovers();
  // Findings that reproduce rarely, amplified once the campaigns are over, each in what is left of its budget (--no-amplify: not).
  const rare: { reportPath: string; budgetMs: number | undefined }[] = [];
  const set = await fuzzSuite(plan, {
    backend: args.backend,
    ...(args.runs !== undefined ? { runs: args.runs } : {}),
    budgetMs,
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    confirmRuns: args.confirm,
    reportDir: args.reportDir,
    signal: interrupt.signal,
    ...(args.parallel !== undefined ? { parallel: args.parallel } : {}),
    ...(args.guided ? { guided: true } : {}),
    failFast: args.failFast,
    onStart: (file, index, total) => display.start(file, index, total),
    onProgress: display.update,
    onReport: (report, reportPath) => {
      display.clear();
      if (!args.json && !args.quiet) process.stdout.write(`${formatFuzz(report, reportPath)}\n`);
      if (args.amplify !== false && report.outcome.kind === 'failed' && report.outcome.reproduction.rate < AMPLIFY_BELOW) rare.push({ reportPath, budgetMs: amplifyBudgetMs(report) });
      if (report.error) process.stderr.write(`sigstorm: ${report.error.message}\n  The campaign stopped early; what it found is in the report.\n`);
    },
    onError: (error) => {
      display.clear();
      reportError(error);
    },
  })
    .then(async (set) => {
      for (const { reportPath, budgetMs: left } of rare) {
        if (interrupt.signal.aborted) break;
        const quiet = args.json || args.quiet;
        if (left === undefined) {
          if (!quiet) process.stderr.write(`sigstorm: not amplifying ${reportPath}: too little of --budget is left (--budget longer to amplify)\n`);
          continue;
        }
        const options = { budgetMs: left, backend: args.backend, signal: interrupt.signal, ...(args.parallel !== undefined ? { parallel: args.parallel } : {}) };
        await amplifyReport(reportPath, options, quiet ? 'none' : 'text').catch((error: unknown) => reportError(error));
      }
      return set;
    })
    .finally(() => {
      display.clear();
      interrupt.dispose();
    });
  await writeOutputs(set, { reportDir: args.reportDir, junit: args.junit, summary: args.summary, html: args.html, print: args.json ? 'json' : 'verdict' });
  if (interrupt.exitCode) return interrupt.exitCode;
  return plan.scenarios.length ? set.exitCode : ExitCode.ok;
}
