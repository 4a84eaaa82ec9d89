import type { BackendChoice } from '../backends/backend.js';
import { exitCodeFor } from '../errors.js';
import { parseEventsArgument, readScheduleFile } from '../faults/event.js';
import { formatRun } from '../report/text.js';
import { run } from '../run.js';
import { onInterrupt } from './interrupt.js';
import { warnAboutLeftovers } from './leftovers.js';
import { reportError } from './main.js';

interface RunArgs {
  scenario: string;
  backend: BackendChoice;
  events?: string | undefined;
  schedule?: string | undefined;
  reportDir: string;
  json: boolean;
}

export async function runCommand(args: RunArgs): Promise<number> {
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
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRun(report, reportPath)}\n`);
    if (interrupt.exitCode) return interrupt.exitCode;
    return exitCodeFor(report.verdict);
  } catch (error) {
    const code = reportError(error);
    return interrupt.exitCode ?? code;
  } finally {
    interrupt.dispose();
  }
}
