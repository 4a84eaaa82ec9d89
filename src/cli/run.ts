import type { BackendChoice } from '../backends/backend.js';
import { releaseAll } from '../backends/tracked.js';
import { exitCodeFor } from '../errors.js';
import { parseEventsArgument, readScheduleFile } from '../faults/event.js';
import { displayPath } from '../report/display-path.js';
import { fromRunReport, resultSet } from '../report/result.js';
import { formatRun } from '../report/text.js';
import { run } from '../run.js';
import { reportError } from './main.js';
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
  // Neither given: the scenario's own `schedule` (or a plain stop).
  const schedule = args.events ? parseEventsArgument(args.events) : args.schedule ? await readScheduleFile(args.schedule) : undefined;
  const interrupt = onInterrupt();
  try {
    const { report, reportPath } = await run(args.scenario, {
      backend: args.backend,
      ...(schedule ? { schedule } : {}),
      reportDir: args.reportDir,
      signal: interrupt.signal,
    });
    const text = formatRun(report, reportPath);
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${args.quiet ? text.split('\n')[0] : text}\n`);
    const set = resultSet([fromRunReport(report, displayPath(reportPath))], { shards: [] });
    await writeOutputs(set, { reportDir: args.reportDir, junit: args.junit, summary: args.summary, html: args.html, print: 'none' });
    if (interrupt.by) return interrupt.by === 'SIGTERM' ? 143 : 130;
    return exitCodeFor(report.verdict);
  } catch (error) {
    const code = reportError(error);
    return interrupt.by ? (interrupt.by === 'SIGTERM' ? 143 : 130) : code;
  } finally {
    interrupt.dispose();
  }
}

/**
 * The first SIGINT/SIGTERM/SIGHUP ends the trial early: the target is removed and the report still written.
 * A second one removes what is left at once and exits.
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** The signal that interrupted sigstorm, if one did. */
  readonly by: NodeJS.Signals | undefined;
  dispose(): void;
}

export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  const state = { by: undefined as NodeJS.Signals | undefined };
  const handler = (signal: NodeJS.Signals) => {
    if (state.by) {
      process.stderr.write(`sigstorm: ${signal} again: removing what is left and exiting now\n`);
      void releaseAll().finally(() => process.exit(signal === 'SIGTERM' ? 143 : 130));
      return;
    }
    state.by = signal;
    process.stderr.write(`sigstorm: ${signal}: ending the trial, cleaning up and writing the report (again to force)\n`);
    controller.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, handler);
  return {
    signal: controller.signal,
    get by() {
      return state.by;
    },
    dispose: () => signals.forEach((s) => process.off(s, handler)),
  };
}
