import { badInput } from '../errors.js';
import type { Scenario } from '../scenario/types.js';
import type { Backend, BackendChoice } from './backend.js';
import { dockerClient, engineAnswers } from './docker/engine.js';

/**
 * `docker` when asked, or for `auto` when an engine answers and the target has a container form;
 * `process` otherwise. Asking for docker without an engine is an infrastructure error that says how to start one.
 */
export async function selectBackend(choice: BackendChoice, scenario: Scenario): Promise<Backend> {
  const { target } = scenario;
  if (choice === 'docker' || (choice === 'auto' && target.container && (!target.process || (await engineAnswers())))) {
    if (!target.container) throw badInput(`${scenario.path}: the target has no container form (\`image\` or \`build\`); use --backend process`);
    await dockerClient();
    return (await import('./docker/backend.js')).dockerBackend;
  }
  if (!target.process) {
    throw badInput(`${scenario.path}: the target has no \`process\` form; use --backend docker`);
  }
  return (await import('./process/backend.js')).processBackend;
}
