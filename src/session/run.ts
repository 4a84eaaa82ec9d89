import type { BackendChoice } from '../backends/backend.js';
import { SigstormError } from '../errors.js';
import type { Schedule } from '../schedule/event.js';
import { redact, redactError } from '../report/redact.js';
import { replayCommand } from '../report/replay-command.js';
import type { Report } from '../report/report.js';
import { fromRunReport } from '../report/result.js';
import { UnsavedReport, writeReport } from '../report/write.js';
import { newRunId } from '../run-id.js';
import type { Scenario } from '../scenario/types.js';
import { checkedSchedule, openScenario, prepare } from './open.js';
import { reportHeader, saveReport } from './report.js';
import { judgedTrial, lostEngine } from './trial.js';

export interface RunOptions {
  backend?: BackendChoice;
  /** The events to play; empty means "stop it the way `docker stop` would". */
  schedule?: Schedule;
  reportDir?: string;
  runId?: string;
  /** Aborting ends the trial early (the target is still removed) and marks the report interrupted. */
  signal?: AbortSignal;
}

export interface RunResult {
  report: Report;
  reportPath: string;
}

/**
 * One trial of one scenario, judged and reported. Bad input throws a SigstormError before anything starts;
 * an infrastructure failure during the trial still writes a report (verdict unknown) and then throws.
 */
export async function run(scenarioOrPath: string | Scenario, options: RunOptions = {}): Promise<RunResult> {
  const session = await openScenario(scenarioOrPath, options.backend);
  const { scenario, backend, secrets } = session;
  const schedule = options.schedule ? checkedSchedule(options.schedule, scenario) : scenario.schedule;
  const runId = options.runId ?? newRunId();
  const base = {
    ...reportHeader(session, 'run', runId, new Date()),
    seed: null,
    schedule,
    replay: replayCommand(scenario.path, backend.name, schedule),
    coverage: scenario.coverage,
  };
  const reportDir = options.reportDir ?? 'reports';
  try {
    await prepare(session);
    const { trial, verdict, results } = await judgedTrial(session, schedule, runId, options.signal);
    // An interrupted trial did not run to its end: its results are kept for reading, but decide nothing.
    const interrupted = options.signal?.aborted ?? false;
    // Nothing the target was given as a secret leaves sigstorm: not in the report, its summary, nor an error message.
    const report: Report = redact<Report>({
      ...base,
      trialsRun: 1,
      verdict: interrupted ? 'unknown' : verdict,
      interrupted,
      failures: results.filter((r) => r.verdict === 'fail'),
      results,
      trial,
    }, secrets);
    const reportPath = await saveReport(report, reportDir, (shown) => fromRunReport(report, shown));
    return { report, reportPath };
  } catch (caught) {
    if (caught instanceof UnsavedReport) throw caught; // the whole report travels with it (already masked)
    const error = (await lostEngine(session, caught)) ?? caught;
    if (!(error instanceof SigstormError) || error.kind !== 'infrastructure') throw redactError(error, secrets);
    const safe = redactError(error, secrets) as SigstormError;
    const report: Report = redact<Report>({
      ...base,
      trialsRun: 0,
      verdict: 'unknown',
      interrupted: options.signal?.aborted ?? false,
      failures: [],
      results: [],
      error: { kind: safe.kind, message: safe.message },
    }, secrets);
    await writeReport(report, reportDir).catch(() => undefined);
    throw safe;
  }
}
