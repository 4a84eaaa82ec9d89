import { SigstormError } from '../errors.js';
import { formatProblem, type Problem } from './problem.js';

/**
 * Thrown for a scenario (or the compose file it names) that cannot be used; carries every problem found, each with
 * file, line and key path. The name is the library's public one: YAML reading throws it too.
 */
export class ScenarioError extends SigstormError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const sorted = [...problems].sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
    super('bad-input', sorted.map(formatProblem).join('\n'));
    this.problems = sorted;
    this.name = 'ScenarioError';
  }
}
