import type { Backend, BackendChoice } from '../backends/backend.js';
import { selectBackend } from '../backends/select.js';
import { journal } from '../leftovers/journal.js';
import { redactError, secretsOf } from '../report/redact.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';

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
  return { scenario, backend: await selectBackend(backend, scenario), secrets: secretsOf(scenario.target, process.env) };
}

/** Readies the backend for the target (its build step, its image). */
export async function prepare(session: Session): Promise<void> {
  journal.phase('prepare', session.scenario.name);
  await session.backend.prepare(session.scenario.target).catch((error: unknown) => {
    throw redactError(error, session.secrets); // a failed build step quotes its command line and output
  });
}
