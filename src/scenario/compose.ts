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
}

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
  const inherited = Object.fromEntries(composeKeys.filter((k) => k in service && !(k in target)).map((k) => [k, service[k]]));
  return {
    merged: { ...scenario, target: { ...inherited, ...target } },
    compose: { source: composeSource, service: target.service, keys: new Set(Object.keys(inherited)) },
  };
}
