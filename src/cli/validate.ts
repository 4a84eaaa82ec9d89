import { ExitCode, SigstormError } from '../errors.js';
import { describeRollout } from '../rollout/plan.js';
import { serverSignalNotes } from '../scenario/coverage.js';
import { loadScenario } from '../scenario/load.js';
import { describeSecondSignalPolicy, secondSignalPolicy } from '../scenario/second-signal.js';
import { expandScenarioPaths } from '../session/scenario-paths.js';
import { describeStopModel } from '../stop-models/registry.js';

export async function validateCommand(paths: string[]): Promise<number> {
  if (paths.length === 0) await expandScenarioPaths(paths); // says what is missing
  let bad = 0;
  const problem = (error: unknown) => {
    if (!(error instanceof SigstormError)) throw error;
    bad++;
    process.stderr.write(`${error.message}\n`);
  };
  // Path by path: an empty directory is one problem among the others, not the end of the check.
  for (const path of paths) {
    const files = await expandScenarioPaths([path]).catch((error: unknown) => (problem(error), []));
    for (const file of files) {
      try {
        const scenario = await loadScenario(file);
        const forms = [scenario.target.container && 'docker', scenario.target.process && 'process'].filter(Boolean).join(', ');
        const policy = describeSecondSignalPolicy(secondSignalPolicy(scenario.oracles));
        process.stdout.write(`ok  ${file}  (${scenario.name}; backends: ${forms}; stop: ${describeStopModel(scenario.stop)}; ${scenario.rollout ? `${describeRollout(scenario.rollout)}; ` : ''}second signal: ${policy})\n`);
        for (const note of serverSignalNotes(scenario.coverage)) process.stdout.write(`    note: ${note.message}\n`);
      } catch (error) {
        problem(error);
      }
    }
  }
  return bad > 0 ? ExitCode.badInput : ExitCode.ok;
}
