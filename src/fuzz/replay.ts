import { readFile } from 'node:fs/promises';
import type { BackendChoice } from '../backends/backend.js';
import { selectBackend } from '../backends/select.js';
import { badInput } from '../errors.js';
import { parseSchedule, type Schedule } from '../faults/event.js';
import { newRunId } from '../run-id.js';
import { loadScenario } from '../scenario/load.js';
import { runTrial } from '../trial/trial.js';
import { judge } from '../oracles/judge.js';
import { confirm, defaultParallelism, type Reproduction } from './campaign.js';
import { signatureOf, type TrialOutcome } from './flaky.js';

export interface ReplayResult {
  scenario: string;
  backend: string;
  schedule: Schedule;
  /** The failure looked for; undefined = any failure counts. */
  signature?: string;
  reproduction: Reproduction;
}

/**
 * Plays a saved schedule `times` times: the minimal schedule of a fuzz report (counting failures with its
 * signature), or a schedule file `{scenario, events}` (counting any failure).
 */
export async function replay(
  file: string,
  options: { times?: number; backend?: BackendChoice; parallel?: number; signal?: AbortSignal } = {},
): Promise<ReplayResult> {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw badInput(`${file}: cannot read a report or schedule (${(error as Error).message})`);
  }
  const outcome = data.outcome as { kind?: string; minimal?: unknown; signature?: string } | undefined;
  const scenarioPath = (data.scenario as { path?: string } | undefined)?.path ?? (typeof data.scenario === 'string' ? data.scenario : undefined);
  const events = outcome?.kind === 'failed' ? outcome.minimal : (data.events ?? data.schedule);
  if (!scenarioPath || !Array.isArray(events)) {
    throw badInput(`${file}: expected a fuzz report with a failure, or {"scenario": "path.yml", "events": [...]}`);
  }
  const scenario = await loadScenario(scenarioPath);
  const schedule = parseSchedule(events, file);
  const backend = await selectBackend(options.backend ?? ((data.backend as BackendChoice | undefined) ?? 'auto'), scenario);
  await backend.prepare(scenario.target);
  const runId = newRunId();
  let n = 0;
  const trial = async (s: Schedule): Promise<TrialOutcome> => {
    const record = await runTrial({ scenario, backend, schedule: s, runId: `${runId}-${++n}`, ...(options.signal ? { signal: options.signal } : {}) });
    const { verdict, results } = judge(record);
    const failures = results.filter((r) => r.verdict === 'fail');
    return verdict === 'fail' ? { kind: 'fail', signatures: failures.map(signatureOf), failures } : { kind: 'pass' };
  };
  const signature = outcome?.kind === 'failed' ? outcome.signature : undefined;
  const anyFailure = '*';
  const counting = async (s: Schedule) => {
    const o = await trial(s);
    return o.kind === 'fail' && !signature ? { ...o, signatures: [...o.signatures, anyFailure] } : o;
  };
  const reproduction = await confirm(counting, schedule, signature ?? anyFailure, options.times ?? 10, options.parallel ?? defaultParallelism(), options.signal);
  return { scenario: scenario.name, backend: backend.name, schedule, ...(signature ? { signature } : {}), reproduction };
}
