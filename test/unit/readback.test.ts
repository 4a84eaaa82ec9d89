import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { storedIds } from '../../src/trial/files.js';
import { tempFiles } from '../helpers/files.js';

describe('read-back', () => {
  it('takes bare ids by default, and what the id group of a pattern finds otherwise', () => {
    expect(storedIds('1\n 2 \nx\n\n30\n')).toEqual([1, 2, 30]);
    expect(storedIds('stored: 4\nstored: five\nother 6\nstored: 7', '^stored: (?<id>\\S+)$')).toEqual([4, 7]);
  });

  it('refuses a pattern without an id group, or that is no regular expression, naming the key', async () => {
    for (const pattern of ['^(\\d+)$', '(?<id>\\d+']) {
      const dir = tempFiles({
        'scenario.yml': `target: { process: { command: [x] }, ready: { log: x } }\nworkload:\n  writes: { path: /w, readback: { file: a.log, pattern: '${pattern}' } }\n`,
      });
      const error = await loadScenario(join(dir, 'scenario.yml')).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ScenarioError);
      expect((error as ScenarioError).problems[0]).toMatchObject({ keyPath: 'workload.writes.readback.pattern', line: 3 });
    }
  });
});
