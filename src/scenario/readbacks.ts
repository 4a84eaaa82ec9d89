import type { KeyPath } from '../input/key-path.js';
import type { ScenarioProblems } from './problems.js';
import type { ParsedScenario } from './schema/scenario.js';

type Readback = NonNullable<ParsedScenario['workload']['writes']>['readback'];

/** Every read-back the scenario writes (`writes.readback`, `exec.readback`, `jobs.done`), with where it is written. */
export function readbacksOf({ writes, exec, jobs }: ParsedScenario['workload']): { readback: Readback; at: KeyPath }[] {
  return [
    ...(writes ? [{ readback: writes.readback, at: ['workload', 'writes', 'readback'] }] : []),
    ...(exec?.readback ? [{ readback: exec.readback, at: ['workload', 'exec', 'readback'] }] : []),
    ...(jobs ? [{ readback: jobs.done, at: ['workload', 'jobs', 'done'] }] : []),
  ];
}

/**
 * The read-backs can be carried out once the target is gone: a file needs the data directory, and an HTTP read-back
 * something still there to ask.
 */
export function checkReadbacks(parsed: ParsedScenario, hasContainer: boolean, problems: ScenarioProblems): void {
  const t = parsed.target;
  for (const { readback, at } of readbacksOf(parsed.workload)) {
    if ('file' in readback && !t.data_dir && hasContainer) {
      problems.at(at, 'a read-back file needs `target.data_dir` (where the target keeps its data)');
    }
    if (!('http' in readback)) continue;
    if (at[1] === 'jobs') {
      problems.at(at, 'an HTTP read-back asks once per id and cannot see a job done twice: read the done jobs from a file or a command');
    } else if (readback.service === undefined && !readback.restart) {
      problems.at(
        at,
        'the target is gone by the time writes are read back: add `restart: true` (ask it started again over its data) or name the dependency that stores them in `service`',
      );
    } else if (readback.service !== undefined && readback.restart) {
      problems.at([...at, 'restart'], 'expected either `restart: true` (ask the target) or `service` (ask a dependency), not both');
    } else if (readback.restart && hasContainer && !t.data_dir && Object.keys(parsed.dependencies).length === 0) {
      // Otherwise the second container would start from the image alone and call every write lost.
      problems.at([...at, 'restart'], 'a restarted container starts from its image: give `target.data_dir` (the directory both instances share)');
    }
  }
}
