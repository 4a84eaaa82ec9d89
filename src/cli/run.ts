import type { BackendChoice } from '../backends/backend.js';
import { exitCodeFor } from '../errors.js';
import { parseEventsArgument, readScheduleFile } from '../schedule/parse.js';
import { displayPath } from '../report/display-path.js';
import { fromRunReport, resultSet } from '../report/result.js';
import { formatRun } from '../report/text.js';
import { run } from '../session/run.js';
import { onInterrupt } from './interrupt.js';
import { reportDir } from './options.js';
import { warnAboutLeftovers } from './leftovers.js';
import { reportError } from './report-error.js';
import { writeOutputs } from './outputs.js';

interface RunArgs {
  scenario: string;
  backend: BackendChoice;
  events?: string | undefined;
  schedule?: string | undefined;
  reportDir: string;
  json: boolean;
  quiet: boolean;
  junit?: string | undefined;
  summary?: string | undefined;
  html?: string | undefined;
}

export async function runCommand(args: RunArgs): Promise<number> {
  reportDir(args.reportDir);
  // Neither given: the scenario's own `schedule` (or a plain stop).
  const schedule =
    args.events !== undefined ? parseEventsArgument(args.events) : args.schedule !== undefined ? await readScheduleFile(args.schedule) : undefined;
  const interrupt = onInterrupt();
  await warnAboutLeftovers();
  try {
    const { report, reportPath } = await run(args.scenario, {
      backend: args.backend,
      ...(schedule ? { schedule } : {}),
      reportDir: args.reportDir,
      signal: interrupt.signal,
    });
    const text = formatRun(report, reportPath);
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${args.quiet ? text.split('\n')[0] : text}\n`);
    const set = resultSet([fromRunReport(report, displayPath(reportPath))]);
    await writeOutputs(set, { reportDir: args.reportDir, junit: args.junit, summary: args.summary, html: args.html, print: 'none' });
    if (interrupt.exitCode) return interrupt.exitCode;
    return exitCodeFor(report.verdict);
  } catch (error) {
    const code = reportError(error);
    return interrupt.exitCode ?? code;
  } finally {
    interrupt.dispose();
  }
}
