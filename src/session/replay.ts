import { readFile } from 'node:fs/promises';
import type { BackendChoice } from '../backends/backend.js';
import { badInput, infrastructure } from '../errors.js';
import type { Schedule } from '../schedule/event.js';
import { parseSchedule } from '../schedule/parse.js';
import { scaleWorkload } from '../fuzz/amplify.js';
import { confirm } from '../fuzz/confirm.js';
import { defaultParallelism } from '../fuzz/parallelism.js';
import type { Reproduction } from '../report/fuzz-report.js';
import { newRunId } from '../run-id.js';
import { loadScenario } from '../scenario/load.js';
import { checkedSchedule, openScenario, prepare } from './open.js';
import { trialFunction } from './trial.js';

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
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw badInput(`${file}: expected a fuzz report or {"scenario": "path.yml", "events": [...]} (a JSON object)`);
  }
  const saved = data.backend;
  if (saved !== undefined && !['auto', 'docker', 'process'].includes(saved as string)) {
    throw badInput(`${file}: backend: expected auto, docker or process, got ${JSON.stringify(saved)}`);
  }
  const outcome = data.outcome as { kind?: string; minimal?: unknown; signature?: string } | undefined;
  const scenarioPath = (data.scenario as { path?: string } | undefined)?.path ?? (typeof data.scenario === 'string' ? data.scenario : undefined);
  const events = outcome?.kind === 'failed' ? outcome.minimal : (data.events ?? data.schedule);
  if (typeof scenarioPath !== 'string' || !scenarioPath || !Array.isArray(events)) {
    throw badInput(`${file}: expected a fuzz report with a failure, or {"scenario": "path.yml", "events": [...]}`);
  }
  const loaded = await loadScenario(scenarioPath);
  // An amplify report's variant may run the workload faster or slower than the scenario says.
  const scale = typeof data.workloadScale === 'number' && data.workloadScale > 0 ? data.workloadScale : 1;
  const scenario = scale === 1 ? loaded : { ...loaded, workload: scaleWorkload(loaded.workload, scale) };
  const schedule = checkedSchedule(parseSchedule(events, file), scenario);
  const session = await openScenario(scenario, options.backend ?? ((saved as BackendChoice | undefined) ?? 'auto'));
  await prepare(session);
  const trial = trialFunction(session, newRunId(), options.signal);
  // A replay is asked for an answer: an infrastructure error ends it rather than counting as a clean run.
  const strict = async (s: Schedule) => {
    const outcome = await trial(s);
    if (outcome.kind === 'infrastructure') throw infrastructure(outcome.error);
    return outcome;
  };
  const signature = outcome?.kind === 'failed' ? outcome.signature : undefined;
  const { record: _record, ...reproduction } = await confirm(strict, schedule, signature, options.times ?? 10, options.parallel ?? defaultParallelism(), options.signal);
  return { scenario: scenario.name, backend: session.backend.name, schedule, ...(signature ? { signature } : {}), reproduction };
}
