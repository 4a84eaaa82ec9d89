import { resolve } from 'node:path';
import { SigstormError } from '../errors.js';
import { ScenarioError } from '../input/scenario-error.js';
import { readComposeUpdate } from '../rollout/compose-update.js';
import { readDeploymentRollout } from '../rollout/deployment.js';
import type { ScenarioProblems } from './problems.js';
import type { RolloutFiles } from './rollout-strategy.js';
import { strategyOf } from './rollout-strategy.js';
import type { ParsedScenario } from './schema/scenario.js';

/**
 * The files a scenario's rollout is read from: `rollout.kubernetes` (a Deployment), and for `strategy: compose`
 * `rollout.compose` or else the target's own compose file (its service). A file that cannot be read at all is
 * placed where it is named; a file with wrong values names its own lines.
 */
export async function readRolloutFiles(parsed: ParsedScenario, dir: string, problems: ScenarioProblems): Promise<RolloutFiles> {
  const { rollout, target } = parsed;
  if (!rollout) return {};
  const placed =
    (at: string[]) =>
    (error: unknown): never => {
      if (!(error instanceof SigstormError) || error instanceof ScenarioError) throw error;
      problems.at(at, error.message);
      throw new ScenarioError(problems.found);
    };
  const files: RolloutFiles = {};
  if (rollout.kubernetes) {
    const container = parsed.stop && 'container' in parsed.stop && typeof parsed.stop.container === 'string' ? parsed.stop.container : undefined;
    files.deployment = await readDeploymentRollout(resolve(dir, rollout.kubernetes), rollout.kubernetes, container).catch(placed(['rollout', 'kubernetes']));
  }
  const composeFile = rollout.compose ?? (strategyOf(rollout) === 'compose' ? target.compose : undefined);
  if (composeFile) {
    const at = rollout.compose ? ['rollout', 'compose'] : ['target', 'compose'];
    files.compose = await readComposeUpdate(resolve(dir, composeFile), composeFile, target.service).catch(placed(at));
  }
  return files;
}
