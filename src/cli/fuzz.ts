import type { BackendChoice } from '../backends/backend.js';
import { badInput, ExitCode } from '../errors.js';
import { fuzz } from '../fuzz/campaign.js';
import { formatFuzz } from '../report/fuzz-text.js';
import { parseDuration } from '../time.js';
import { reportError } from './main.js';
import { onInterrupt } from './interrupt.js';
import { warnAboutLeftovers } from './leftovers.js';
import { count, seed } from './options.js';
import { expandScenarioPaths } from './validate.js';

interface FuzzArgs {
  scenarios: string[];
  backend: BackendChoice;
  runs: number;
  budget: string;
  seed?: number | undefined;
  parallel?: number | undefined;
  confirm: number;
  reportDir: string;
  json: boolean;
}

/** One campaign per scenario, one combined exit status: 1 if any found a confirmed failure. */
export async function fuzzCommand(args: FuzzArgs): Promise<number> {
  const budgetMs = parseDuration(args.budget);
  if (budgetMs === undefined || budgetMs <= 0) throw badInput(`--budget: expected a duration such as 90s or 10m, got ${JSON.stringify(args.budget)}`);
  count('--runs', args.runs);
  count('--confirm', args.confirm, 100_000);
  if (args.parallel !== undefined) count('--parallel', args.parallel, 64);
  seed(args.seed);
  const files = await expandScenarioPaths(args.scenarios);
  const interrupt = onInterrupt();
  await warnAboutLeftovers();
  let worst: number = ExitCode.ok;
  try {
    for (const file of files) {
      if (interrupt.signal.aborted) break;
      try {
        const { report, reportPath } = await fuzz(file, {
          backend: args.backend,
          runs: args.runs,
          budgetMs,
          confirmRuns: args.confirm,
          reportDir: args.reportDir,
          signal: interrupt.signal,
          ...(args.seed !== undefined ? { seed: args.seed } : {}),
          ...(args.parallel !== undefined ? { parallel: args.parallel } : {}),
          onProgress: args.json ? undefined : (line) => process.stderr.write(`  … ${line}\n`),
        });
        process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatFuzz(report, reportPath)}\n`);
        if (report.verdict === 'fail') worst = Math.max(worst, ExitCode.failed);
        if (report.error) {
          process.stderr.write(`sigstorm: ${report.error.message}\n  The campaign stopped early; what it found is in the report.\n`);
          worst = Math.max(worst, ExitCode.infrastructure);
        }
      } catch (error) {
        worst = Math.max(worst, reportError(error));
      }
    }
  } finally {
    interrupt.dispose();
  }
  if (interrupt.exitCode) return interrupt.exitCode;
  return worst;
}
