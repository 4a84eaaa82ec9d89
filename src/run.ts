import type { BackendChoice } from './backends/backend.js';
import { engineLost } from './backends/docker/engine.js';
import { selectBackend } from './backends/select.js';
import { SigstormError } from './errors.js';
import type { Schedule } from './faults/event.js';
import { journal } from './leftovers/journal.js';
import { judge } from './oracles/judge.js';
import { displayPath } from './report/display-path.js';
import { redact, redactError, secretsOf } from './report/redact.js';
import type { Report } from './report/report.js';
import { writeHtmlBeside } from './report/html-file.js';
import { fromRunReport } from './report/result.js';
import { UnsavedReport, writeReport } from './report/write.js';
import { newRunId } from './run-id.js';
import { loadScenario } from './scenario/load.js';
import type { Scenario } from './scenario/types.js';
import { runTrial } from './trial/trial.js';
import { VERSION } from './version.js';

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
  const scenario = typeof scenarioOrPath === 'string' ? await loadScenario(scenarioOrPath) : scenarioOrPath;
  const schedule = options.schedule ?? scenario.schedule;
  const backend = await selectBackend(options.backend ?? 'auto', scenario);
  const runId = options.runId ?? newRunId();
  const base = {
    schemaVersion: 1 as const,
    tool: { name: 'sigstorm' as const, version: VERSION },
    command: 'run' as const,
    runId,
    createdAt: new Date().toISOString(),
    scenario: { name: scenario.name, path: scenario.path },
    backend: backend.name,
    seed: null,
    schedule,
    replay: replayCommand(scenario.path, backend.name, schedule),
    coverage: scenario.coverage,
  };
  const reportDir = options.reportDir ?? 'reports';
  // Nothing the target was given as a secret leaves sigstorm: not in the report, its summary, nor an error message.
  const secrets = secretsOf(scenario.target, process.env);
  try {
    journal.phase('prepare', scenario.name);
    await backend.prepare(scenario.target);
    const trial = await runTrial({ scenario, backend, schedule, runId, ...(options.signal ? { signal: options.signal } : {}) });
    const { verdict, results } = judge(trial);
    // An interrupted trial did not run to its end: its results are kept for reading, but decide nothing.
    const interrupted = options.signal?.aborted ?? false;
    const report: Report = redact<Report>({
      ...base,
      trialsRun: 1,
      verdict: interrupted ? 'unknown' : verdict,
      interrupted,
      failures: results.filter((r) => r.verdict === 'fail'),
      results,
      trial,
    }, secrets);
    journal.phase('reporting', scenario.name);
    const reportPath = await writeReport(report, reportDir);
    await writeHtmlBeside(reportPath, (shown) => fromRunReport(report, shown));
    return { report, reportPath };
  } catch (caught) {
    if (caught instanceof UnsavedReport) throw caught; // the whole report travels with it (already masked)
    const error = backend.name === 'docker' ? ((await engineLost(caught)) ?? caught) : caught;
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

/** A copy-pasteable command that plays the same schedule on the same backend. */
export function replayCommand(scenarioPath: string, backend: string, schedule: Schedule): string {
  const path = displayPath(scenarioPath);
  const events = schedule.length ? ` --events ${shellQuote(JSON.stringify(schedule))}` : '';
  return `npx sigstorm run ${shellQuote(path)} --backend ${backend}${events}`;
}

/** A word for a POSIX shell: as it is when it is plainly safe, else single-quoted. */
export const shellQuote = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);
