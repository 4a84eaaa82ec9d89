import { readFile } from 'node:fs/promises';
import type { BackendChoice } from '../backends/backend.js';
import { badInput, infrastructure } from '../errors.js';
import type { Schedule } from '../schedule/event.js';
import { parseSchedule } from '../schedule/parse.js';
import { variantScenario } from '../fuzz/amplify.js';
import { confirm } from '../fuzz/confirm.js';
import { checkFix } from '../fuzz/fix.js';
import { defaultParallelism } from '../fuzz/parallelism.js';
import type { FixCheck, Reproduction } from '../report/fuzz-report.js';
import { judge } from '../oracles/judge.js';
import type { OracleResult } from '../oracles/verdict.js';
import type { TrialRecord } from '../trial/record.js';
import { newRunId } from '../run-id.js';
import { loadScenario } from '../scenario/load.js';
import { recordedVariant } from './amplify.js';
import { checkedSchedule, openScenario, prepare } from './open.js';
import { trialFunction } from './trial.js';

export interface ReplayResult {
  scenario: string;
  /** The scenario file the schedule was played against. */
  scenarioPath: string;
  backend: string;
  seed?: number;
  schedule: Schedule;
  /** The failure looked for; undefined = any failure counts. */
  signature?: string;
  reproduction: Reproduction;
  /** The first replay that failed (with the signature), what failed in it, and the first that passed outright. */
  record?: TrialRecord;
  failures: OracleResult[];
  passing?: TrialRecord;
  /** With `against`: the recorded rate beside the rate now, and what they decide. */
  fix?: FixCheck;
}

export interface ReplayOptions {
  times?: number;
  backend?: BackendChoice;
  parallel?: number;
  signal?: AbortSignal;
  /** Play the schedule against this scenario file instead of the recorded one (e.g. the fixed service). */
  scenario?: string;
  /** Compare the rate now with the finding's recorded reproduction (`file` must be a fuzz report with a finding). */
  against?: boolean;
}

/**
 * Plays a saved schedule `times` times: the minimal schedule of a fuzz report (counting failures with its
 * signature), or a schedule file `{scenario, events}` (counting any failure). With `against`, also decides whether the
 * failure is fixed: see checkFix.
 */
export async function replay(file: string, options: ReplayOptions = {}): Promise<ReplayResult> {
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
  const outcome = data.outcome as { kind?: string; minimal?: unknown; signature?: string; reproduction?: Reproduction } | undefined;
  const before = options.against ? recorded(file, outcome) : undefined;
  const scenarioPath = (data.scenario as { path?: string } | undefined)?.path ?? (typeof data.scenario === 'string' ? data.scenario : undefined);
  const events = outcome?.kind === 'failed' ? outcome.minimal : (data.events ?? data.schedule);
  if (typeof scenarioPath !== 'string' || !scenarioPath || !Array.isArray(events)) {
    throw badInput(`${file}: expected a fuzz report with a failure, or {"scenario": "path.yml", "events": [...]}`);
  }
  const loaded = await loadScenario(options.scenario ?? scenarioPath);
  // An amplify report's variant may run the workload faster or slower, or the target on fewer CPUs, than the scenario says.
  const scenario = variantScenario(loaded, recordedVariant(data));
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
  const { record, passing, ...reproduction } = await confirm(strict, schedule, signature, options.times ?? 10, options.parallel ?? defaultParallelism(), options.signal);
  const failures = record ? judge(record).results.filter((r) => r.verdict === 'fail') : [];
  return {
    scenario: scenario.name,
    scenarioPath: options.scenario ?? scenarioPath,
    backend: session.backend.name,
    ...(typeof data.seed === 'number' ? { seed: data.seed } : {}),
    schedule,
    ...(signature ? { signature } : {}),
    reproduction,
    ...(record ? { record } : {}),
    failures,
    ...(passing ? { passing } : {}),
    ...(before ? { fix: checkFix(before, reproduction) } : {}),
  };
}

/** The reproduction a finding was recorded with: what `against` compares the rate now to. */
function recorded(file: string, outcome: { kind?: string; reproduction?: Reproduction } | undefined): Reproduction {
  if (outcome?.kind !== 'failed') {
    throw badInput(`${file}: --against needs a fuzz report with a finding (outcome.kind "failed"), got ${outcome?.kind ? `"${outcome.kind}"` : 'none'}`);
  }
  const r = outcome.reproduction;
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (!r || !whole(r.failed) || !whole(r.runs) || r.failed > r.runs || typeof r.interval?.low !== 'number') {
    throw badInput(`${file}: outcome.reproduction: expected {failed, runs, rate, interval} as a fuzz report records it`);
  }
  if (r.failed === 0) {
    throw badInput(`${file}: the finding reproduced 0/${r.runs} times when recorded: there is no rate to prove a fix against (replay it without --against)`);
  }
  return r;
}
