import { dirname, resolve } from 'node:path';
import { badInput, SigstormError } from '../errors.js';
import { describeValue, mapping } from '../input/plain-data.js';
import { ScenarioError } from '../input/scenario-error.js';
import { readYaml } from '../input/yaml-source.js';
import { readStopFile } from '../stop-models/files.js';
import { mergeCompose } from './compose.js';
import { normalize } from './normalize.js';
import { readRolloutFiles } from './rollout-files.js';
import { ScenarioProblems } from './problems.js';
import { scenarioSchema } from './schema/scenario.js';
import type { Scenario } from './types.js';

// The loader's public names, where the library has always offered them.
export { ScenarioError } from '../input/scenario-error.js';
export { formatProblem, type Problem } from '../input/problem.js';

/** Loads, merges (compose service + scenario keys) and validates one scenario file. */
export async function loadScenario(file: string): Promise<Scenario> {
  if (typeof file !== 'string' || file.trim() === '') {
    throw badInput(`${JSON.stringify(file)}: expected the path of a scenario file (reading standard input, "-", is not supported)`);
  }
  const path = resolve(file);
  const source = await readYaml(path, 'scenario');
  const scenario = mapping(source.value);
  if (!scenario) {
    const what = source.value === null || source.value === undefined ? 'the file is empty' : `found ${describeValue(source.value)}`;
    throw new ScenarioError([{ file: path, line: 1, keyPath: '', message: `expected a mapping with \`target\` and \`expect\`; ${what}` }]);
  }
  const { merged, compose } = await mergeCompose(scenario, source);
  const problems = new ScenarioProblems(source, compose);
  const result = scenarioSchema().safeParse(merged);
  if (!result.success) {
    problems.schemaIssues(result.error, merged);
    throw new ScenarioError(problems.found);
  }
  const stop = result.data.stop;
  const stopFile = await readStopFile(stop, dirname(path)).catch((error: unknown) => {
    // A file that cannot be read at all is the scenario's problem: placed at `stop.file`, where it is named.
    if (!(error instanceof SigstormError) || error instanceof ScenarioError || !stop?.file) throw error;
    problems.at(['stop', 'file'], error.message);
    throw new ScenarioError(problems.found);
  });
  const rolloutFiles = await readRolloutFiles(result.data, dirname(path), problems);
  // A rollout draws faults of the schedule only when `faults:` is written (rollout.ts).
  return normalize(result.data, path, compose, problems, stopFile, rolloutFiles, 'faults' in scenario);
}
