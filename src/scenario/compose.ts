import { dirname, resolve } from 'node:path';
import { SigstormError } from '../errors.js';
import { locate } from '../input/locate.js';
import { mapping } from '../input/plain-data.js';
import { ScenarioError } from '../input/scenario-error.js';
import { readYaml, type SourceFile } from '../input/yaml-source.js';
import { composeKeys } from './schema/target.js';

/** The compose service a scenario's target names, and which target keys it supplied. */
export interface ComposeService {
  source: SourceFile;
  service: string;
  keys: Set<string>;
  /** The services it depends on (transitively), each with the keys the compose file supplied. */
  dependencies: Map<string, Set<string>>;
}

/** The names a raw compose `depends_on` lists (a list, or a mapping keyed by service). */
export const dependsOnNames = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : Object.keys(mapping(value) ?? {});

/**
 * The scenario with the container keys it leaves out taken from the compose service its target names (keys given
 * in the scenario win), or the scenario as it is when it names none.
 */
export async function mergeCompose(scenario: Record<string, unknown>, source: SourceFile): Promise<{ merged: Record<string, unknown>; compose?: ComposeService }> {
  const target = mapping(scenario.target);
  // (A compose path with a NUL byte is left to the schema, which says so.)
  if (!target || typeof target.compose !== 'string' || target.compose.includes('\0') || typeof target.service !== 'string') return { merged: scenario };
  const composePath = resolve(dirname(source.path), target.compose);
  let composeSource: SourceFile;
  try {
    composeSource = await readYaml(composePath, 'compose file');
  } catch (error) {
    if (error instanceof ScenarioError || !(error instanceof SigstormError)) throw error; // those name the compose file's lines
    throw new ScenarioError([{ file: source.path, ...locate(source, ['target', 'compose']), keyPath: 'target.compose', message: error.message }]);
  }
  const services = mapping((mapping(composeSource.value) ?? {}).services);
  const service = services && Object.hasOwn(services, target.service) ? mapping(services[target.service]) : undefined;
  if (!service) {
    throw new ScenarioError([
      {
        file: source.path,
        ...locate(source, ['target', 'service']),
        keyPath: 'target.service',
        message: `expected a service of ${composePath}; it has: ${Object.keys(services ?? {}).join(', ') || 'none'}`,
      },
    ]);
  }
  const inherit = (from: Record<string, unknown>, over: Record<string, unknown>) =>
    Object.fromEntries(composeKeys.filter((k) => k in from && !(k in over)).map((k) => [k, from[k]]));
  const inherited = inherit(service, target);

  // The services it depends on, transitively, each merged with what `dependencies:` says of it.
  const written = mapping(scenario.dependencies) ?? {};
  const dependencies: Record<string, unknown> = { ...written };
  const dependencyKeys = new Map<string, Set<string>>();
  // A `depends_on` written in the scenario replaces the compose service's, as every key does.
  const dependsOn = (written: Record<string, unknown>, composed: Record<string, unknown>) => dependsOnNames('depends_on' in written ? written.depends_on : composed.depends_on);
  const queue = dependsOn(target, service).map((name) => [target.service as string, name] as const);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [from, name] = next;
    if (dependencyKeys.has(name) || name === target.service) continue; // a cycle through the target: normalize names it
    const found = Object.hasOwn(services!, name) ? mapping(services![name]) : undefined;
    if (!found) {
      throw new ScenarioError([
        {
          file: composePath,
          ...locate(composeSource, ['services', from, 'depends_on']),
          keyPath: `services.${from}.depends_on`,
          message: `service ${JSON.stringify(name)} is not defined in this file; it has: ${Object.keys(services!).join(', ')}`,
        },
      ]);
    }
    const over = mapping(written[name]) ?? {};
    const keys = inherit(found, over);
    dependencies[name] = { ...keys, ...over };
    dependencyKeys.set(name, new Set(Object.keys(keys)));
    for (const dep of dependsOn(over, found)) queue.push([name, dep]);
  }
  return {
    merged: { ...scenario, target: { ...inherited, ...target }, ...(dependencyKeys.size ? { dependencies } : {}) },
    compose: { source: composeSource, service: target.service, keys: new Set(Object.keys(inherited)), dependencies: dependencyKeys },
  };
}
