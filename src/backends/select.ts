import { badInput } from '../errors.js';
import type { Scenario, Target } from '../scenario/types.js';
import type { Backend, BackendChoice } from './backend.js';
import { dockerClient, engineAnswers } from './docker/engine.js';
import { imageAtHand } from './docker/image.js';

const what = (service: Target, scenario: Scenario) =>
  service === scenario.target ? 'the target' : service === scenario.rollout?.to ? 'the rollout\'s new version (`rollout.to`)' : `dependency ${service.name}`;

/**
 * `docker` when asked, or for `auto` when an engine answers and every service of the stack (a rollout's new version
 * among them) has a container form;
 * `process` otherwise, and for `auto` also when a service's image is neither built nor present (sigstorm never
 * pulls; `sigstorm init` writes a Deployment's registry image beside the process form of the command it was given).
 * Asking for docker without an engine is an infrastructure error that says how to start one.
 */
export async function selectBackend(choice: BackendChoice, scenario: Scenario): Promise<Backend> {
  const { target, dependencies } = scenario;
  const services = [target, ...dependencies, ...(scenario.rollout?.to ? [scenario.rollout.to] : [])];
  const containers = services.every((s) => s.container);
  const processes = services.every((s) => s.process);
  const dockerRuns = async () => (await engineAnswers()) && (await Promise.all(services.map((s) => imageAtHand(s.container!)))).every(Boolean);
  if (choice === 'docker' || (choice === 'auto' && containers && (!processes || (await dockerRuns())))) {
    const without = services.find((s) => !s.container);
    if (without) throw badInput(`${scenario.path}: ${what(without, scenario)} has no container form (\`image\` or \`build\`); use --backend process`);
    await dockerClient();
    return (await import('./docker/backend.js')).dockerBackend;
  }
  const without = services.find((s) => !s.process);
  if (without) throw badInput(`${scenario.path}: ${what(without, scenario)} has no \`process\` form; use --backend docker`);
  // Only the Docker engine runs a healthcheck: a process needs a probe of its own.
  const unprobed = dependencies.find((d) => d.healthy);
  if (unprobed) {
    throw badInput(
      `${scenario.path}: dependency ${unprobed.name} is ready when its healthcheck says so, which only the Docker engine runs; ` +
        `give it \`ready\` (an HTTP path or a log line) under \`dependencies.${unprobed.name}\` for the process backend, or use --backend docker`,
    );
  }
  return (await import('./process/backend.js')).processBackend;
}
