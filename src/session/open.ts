import type { Backend, BackendChoice } from '../backends/backend.js';
import { runPrepare } from '../backends/prepare.js';
import { selectBackend } from '../backends/select.js';
import { journal } from '../leftovers/journal.js';
import { redactError, secretsOf } from '../report/redact.js';
import { loadScenario } from '../scenario/load.js';
import { requestAnchorProblems } from '../scenario/request-anchors.js';
import { scheduleForStack } from '../scenario/stack.js';
import type { Scenario } from '../scenario/types.js';
import type { Schedule } from '../schedule/event.js';
import { badInput } from '../errors.js';

/** A scenario opened for trials: loaded, its backend chosen, and the secrets nothing it writes may show. */
export interface Session {
  scenario: Scenario;
  backend: Backend;
  /** What the target was given as a secret (and the host's secret-looking variables): masked in reports and errors. */
  secrets: string[];
}

/** Loads the scenario (unless given loaded) and selects its backend. Bad input throws before anything starts. */
export async function openScenario(scenarioOrPath: string | Scenario, backend: BackendChoice = 'auto'): Promise<Session> {
  const scenario = typeof scenarioOrPath === 'string' ? await loadScenario(scenarioOrPath) : scenarioOrPath;
  const secrets = [...secretsOf(scenario.target, process.env), ...[scenario.rollout?.to, ...scenario.dependencies].flatMap((d) => (d ? secretsOf(d) : []))];
  return { scenario, backend: await selectBackend(backend, scenario), secrets };
}

/** A schedule given apart from the scenario, checked against its stack: bad input names each unknown service. */
export function checkedSchedule(schedule: Schedule, scenario: Scenario): Schedule {
  const checked = scheduleForStack(schedule, scenario);
  const anchors = requestAnchorProblems(checked.schedule, scenario.workload).map((p) => `events${p.at.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}: ${p.message}`);
  const problems = [...checked.problems, ...anchors];
  if (problems.length > 0) throw badInput(`${scenario.path}: ${problems.join('; ')}`);
  return checked.schedule;
}

/** Readies the backend for every service of the stack (their build steps, their images). */
export async function prepare(session: Session): Promise<void> {
  journal.phase('prepare', session.scenario.name);
  const { target, dependencies, rollout } = session.scenario;
  const services = [target, ...(rollout?.to ? [rollout.to] : []), ...dependencies];
  const redacted = (error: unknown) => {
    throw redactError(error, session.secrets); // a failed build step quotes its command line and output
  };
  // Every build step before any image: one service's step may build another's context (a shared build script).
  for (const service of services) await runPrepare(service).catch(redacted);
  for (const service of services) await session.backend.prepare(service).catch(redacted);
}
