import { variantScenario } from '../fuzz/variant.js';
import { displayPath } from '../report/display-path.js';
import { readSchedule } from '../report/read.js';
import { reproPlan, type ReproPlan } from '../report/repro-plan.js';
import { reproScript } from '../report/repro-script.js';
import { parseSchedule } from '../schedule/parse.js';
import { loadScenario } from '../scenario/load.js';
import { checkedSchedule } from './open.js';

export interface ReplayScript {
  /** The script's text. */
  text: string;
  plan: ReproPlan;
  /** The failure the report found (absent: a schedule file, any failure). */
  signature?: string;
}

/**
 * A standalone shell script that plays the schedule `replay` would (a report's minimal schedule, or a schedule file's)
 * `times` times against the scenario's process form, and says what went wrong: `replay --script`. Runs nothing.
 */
export async function replayScript(file: string, options: { times: number; scenario?: string }): Promise<ReplayScript> {
  const saved = await readSchedule(file);
  const path = options.scenario ?? saved.scenarioPath;
  // As replay plays it: an amplify report's variant may scale the workload.
  const scenario = variantScenario(await loadScenario(path), saved.variant);
  const schedule = checkedSchedule(parseSchedule(saved.events, file), scenario);
  const plan = reproPlan(scenario, schedule, displayPath(scenario.path));
  return { text: reproScript(plan, options.times), plan, ...(saved.signature ? { signature: saved.signature } : {}) };
}
