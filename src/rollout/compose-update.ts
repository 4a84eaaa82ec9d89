import { keyPathText, type KeyPath } from '../input/key-path.js';
import { locate } from '../input/locate.js';
import { describeValue, mapping } from '../input/plain-data.js';
import type { Problem } from '../input/problem.js';
import { ScenarioError } from '../input/scenario-error.js';
import { readYaml } from '../input/yaml-source.js';
import { parseDuration } from '../time.js';

// `rollout: { compose: docker-compose.yml }` (or the target's own compose file, with `strategy: compose`): a service's
// `deploy.replicas` and `deploy.update_config`, as `docker stack deploy` hands them to Swarm, in the scenario's terms
// (keys the scenario writes itself win). `failure_action` and `max_failure_ratio` are read past: sigstorm does not
// pause or roll back an update (docs/rollouts.md).

/** What a compose service says of its update, durations in ms. */
export interface ComposeUpdate {
  replicas?: number;
  parallelism?: number;
  delay?: number;
  order?: 'stop-first' | 'start-first';
  monitor?: number;
  /** "docker-compose.yml (service web)", for messages. */
  source: string;
}

/** Reads `service` of the compose file at `path` (`shown`: the path as the scenario names it); without one, its only service. */
export async function readComposeUpdate(path: string, shown: string, service?: string): Promise<ComposeUpdate> {
  const source = await readYaml(path, 'compose file');
  const services = mapping(mapping(source.value)?.services) ?? {};
  const names = Object.keys(services);
  const name = service ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined || !Object.hasOwn(services, name)) {
    const message = name === undefined ? `several services (${names.join(', ') || 'none'}): name the one rolled out with target.service` : `no service ${name}; it has: ${names.join(', ') || 'none'}`;
    throw new ScenarioError([{ file: path, ...(locate(source, ['services']) ?? { line: 1 }), keyPath: 'services', message }]);
  }
  const problems: Problem[] = [];
  const at = (key: string, ...rest: string[]): KeyPath => ['services', name, 'deploy', key, ...rest];
  const problem = (path: KeyPath, message: string) => problems.push({ file: source.path, ...(locate(source, path) ?? { line: 1 }), keyPath: keyPathText(path), message });
  const deploy = mapping(mapping(services[name])?.deploy) ?? {};
  const read: ComposeUpdate = { source: `${shown} (service ${name})` };
  if (deploy.mode !== undefined && deploy.mode !== 'replicated') problem(at('mode'), `only mode: replicated has replicas to roll out, got ${describeValue(deploy.mode)}`);
  const whole = (path: KeyPath, value: unknown, min: number): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
    return void problem(path, `expected a whole number ≥ ${min}, got ${describeValue(value)}`);
  };
  const time = (key: string, value: unknown): number | undefined => {
    if (value === undefined) return undefined;
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms !== undefined) return ms;
    return void problem(at('update_config', key), `expected a duration such as 10s, 500ms or 1m30s (units ms, s, m, h), got ${describeValue(value)}`);
  };
  const replicas = whole(at('replicas'), deploy.replicas, 1);
  if (replicas !== undefined) read.replicas = replicas;
  const update = mapping(deploy.update_config) ?? {};
  const parallelism = whole(at('update_config', 'parallelism'), update.parallelism, 0);
  if (parallelism !== undefined) read.parallelism = parallelism;
  const delay = time('delay', update.delay);
  if (delay !== undefined) read.delay = delay;
  const monitor = time('monitor', update.monitor);
  if (monitor !== undefined) read.monitor = monitor;
  if (update.order === 'stop-first' || update.order === 'start-first') read.order = update.order;
  else if (update.order !== undefined) problem(at('update_config', 'order'), `expected stop-first or start-first, got ${describeValue(update.order)}`);
  if (problems.length > 0) throw new ScenarioError(problems);
  return read;
}
