import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take minutes (measured in CI run c5 of 2026-12-07: zoo 347 s, docs 138 s, docs-guides 100 s, interrupt
 * 99 s, rollout 78 s), longest first.
 */
const LONG = ['test/e2e/zoo.test.ts', 'test/e2e/docs.test.ts', 'test/e2e/docs-guides.test.ts', 'test/e2e/interrupt.test.ts', 'test/e2e/rollout.test.ts'];

/**
 * vitest's order with the long files started first. Without its cache of durations (a fresh clone, CI) vitest runs
 * larger files first, and the zoo, a small file of 149 rows from targets/zoo.json, started last and ran alone for
 * minutes on one of the two workers while the other had nothing left.
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const at = LONG.indexOf(relative(f.project.config.root, f.moduleId));
      return at < 0 ? LONG.length : at;
    };
    const sorted = await super.sort(files);
    return sorted.sort((a, b) => a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || rank(a) - rank(b));
  }
}
