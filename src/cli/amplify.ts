import type { BackendChoice } from '../backends/backend.js';
import { badInput, ExitCode } from '../errors.js';
import { amplify, type AmplifyReport, type AmplifyOptions } from '../session/amplify.js';
import { parseDuration } from '../time.js';
import { onInterrupt } from './interrupt.js';
import { count, MAX_PARALLEL } from './options.js';

interface AmplifyArgs {
  file: string;
  budget: string;
  backend?: BackendChoice | undefined;
  parallel?: number | undefined;
  confirm: number;
  json: boolean;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const rate = (r: AmplifyReport['original']['reproduction']) => `${r.failed}/${r.runs} (${pct(r.rate)}, 95% interval ${pct(r.interval.low)}–${pct(r.interval.high)})`;

/** The amplify report as text: the original and the best variant side by side, and what changed. */
export function formatAmplify(report: AmplifyReport, reportPath: string): string {
  const { original, best } = report;
  return [
    `${report.goalMet ? 'AMPLIFIED' : best.changes.length ? 'IMPROVED' : 'NOT AMPLIFIED'}  ${report.scenario.name}  ${report.signature}  (${report.backend} backend)`,
    `  original: ${rate(original.reproduction)}`,
    ...original.steps.map((s) => `    ${s}`),
    `  best:     ${rate(best.reproduction)}`,
    ...best.steps.map((s) => `    ${s}`),
    ...(best.workloadScale !== 1 ? [`    workload ×${best.workloadScale}`] : []),
    ...(best.cpus !== undefined ? [`    target limited to ${best.cpus} CPU`] : []),
    best.changes.length ? `  changed: ${best.changes.join('; ')}` : '  changed: nothing failed more often than the original',
    `  ${report.variantsTried} variant(s), ${report.trialsRun} trial(s), ${(report.durationMs / 1000).toFixed(0)} s`,
    `  report: ${reportPath}`,
    `  replay: ${report.replay}`,
  ].join('\n');
}

/** Runs amplify and prints its result (the report is written either way). */
export async function amplifyReport(file: string, options: AmplifyOptions, print: 'text' | 'json' | 'none'): Promise<AmplifyReport> {
  const { report, reportPath } = await amplify(file, {
    ...options,
    ...(print === 'text' ? { onProgress: (message: string) => process.stderr.write(`  amplify: ${message}\n`) } : {}),
  });
  if (print !== 'none') process.stdout.write(print === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${formatAmplify(report, reportPath)}\n`);
  return report;
}

/** Budget and count flags checked; bad input before anything starts. */
export function amplifyOptions(args: { budget: string; parallel?: number | undefined; confirm: number; backend?: BackendChoice | undefined }): AmplifyOptions {
  const budgetMs = parseDuration(args.budget);
  if (budgetMs === undefined || budgetMs <= 0) throw badInput(`--budget: expected a duration such as 90s or 5m, got ${JSON.stringify(args.budget)}`);
  if (args.parallel !== undefined) count('--parallel', args.parallel, MAX_PARALLEL);
  count('--confirm', args.confirm, 10_000);
  return { budgetMs, confirmRuns: args.confirm, ...(args.parallel ? { parallel: args.parallel } : {}), ...(args.backend ? { backend: args.backend } : {}) };
}

/** Exit 1 when the best variant fails (the bug reproduces), 0 when nothing failed in the budget. */
export async function amplifyCommand(args: AmplifyArgs): Promise<number> {
  const options = amplifyOptions(args);
  const interrupt = onInterrupt();
  try {
    const report = await amplifyReport(args.file, { ...options, signal: interrupt.signal }, args.json ? 'json' : 'text');
    if (interrupt.exitCode) return interrupt.exitCode;
    return report.best.reproduction.failed > 0 ? ExitCode.failed : ExitCode.ok;
  } finally {
    interrupt.dispose();
  }
}
