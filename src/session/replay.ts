import type { BackendChoice } from '../backends/backend.js';
import { infrastructure } from '../errors.js';
import type { Schedule } from '../schedule/event.js';
import { parseSchedule } from '../schedule/parse.js';
import { variantScenario } from '../fuzz/variant.js';
import { confirm } from '../fuzz/confirm.js';
import { checkFix } from '../fuzz/fix.js';
import { defaultParallelism } from '../fuzz/parallelism.js';
import type { FixCheck, Reproduction } from '../report/fuzz-report.js';
import { judge } from '../oracles/judge.js';
import type { OracleResult } from '../oracles/verdict.js';
import { readSchedule } from '../report/read.js';
import type { TrialRecord } from '../trial/record.js';
import { newRunId } from '../run-id.js';
import { loadScenario } from '../scenario/load.js';
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
  const saved = await readSchedule(file, options.against);
  const loaded = await loadScenario(options.scenario ?? saved.scenarioPath);
  // An amplify report's variant may run the workload faster or slower, or the target on fewer CPUs, than the scenario says.
  const scenario = variantScenario(loaded, saved.variant);
  const schedule = checkedSchedule(parseSchedule(saved.events, file), scenario);
  const session = await openScenario(scenario, options.backend ?? saved.backend ?? 'auto');
  await prepare(session);
  const trial = trialFunction(session, newRunId(), options.signal);
  // A replay is asked for an answer: an infrastructure error ends it rather than counting as a clean run.
  const strict = async (s: Schedule) => {
    const outcome = await trial(s);
    if (outcome.kind === 'infrastructure') throw infrastructure(outcome.error);
    return outcome;
  };
  const signature = saved.signature;
  const { record, passing, ...reproduction } = await confirm(strict, schedule, signature, options.times ?? 10, options.parallel ?? defaultParallelism(), options.signal);
  const failures = record ? judge(record).results.filter((r) => r.verdict === 'fail') : [];
  return {
    scenario: scenario.name,
    scenarioPath: options.scenario ?? saved.scenarioPath,
    backend: session.backend.name,
    ...(saved.seed !== undefined ? { seed: saved.seed } : {}),
    schedule,
    ...(signature ? { signature } : {}),
    reproduction,
    ...(record ? { record } : {}),
    failures,
    ...(passing ? { passing } : {}),
    ...(saved.recorded ? { fix: checkFix(saved.recorded, reproduction) } : {}),
  };
}
