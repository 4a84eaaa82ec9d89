import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadResults } from '../../src/session/merge.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import { formatProblem } from '../../src/input/problem.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { recordProblems } from '../../src/trial/record-schema.js';
import { tempFiles } from '../helpers/files.js';

// One wording for every input problem: "file:line:col: key.path: message", or "key.path: message" inside a JSON
// document (a schedule, a trial record, a result set), never zod's "Invalid input" or "received undefined".

describe('input problems', () => {
  it('formats a problem with its file, line, column and key path', () => {
    expect(formatProblem({ file: '/s.yml', line: 3, column: 5, keyPath: 'target.image', message: 'expected string' })).toBe('/s.yml:3:5: target.image: expected string');
    expect(formatProblem({ file: '/s.yml', keyPath: '', message: 'cannot read' })).toBe('/s.yml: cannot read');
  });

  it('words the problems of a schedule, a record and a result set alike', async () => {
    expect(() => parseSchedule([{ at: true, kind: 'pause', duration: '1s' }], 'f.json')).toThrow(/:\n {2}\[0\]\.at: expected string or number$/);
    expect(recordProblems({})[0]).toBe('scenario: missing: expected object');
    const dir = tempFiles({ 'result.json': JSON.stringify({ kind: 'sigstorm-results', createdAt: 'x', shards: [], interrupted: false, scenarios: [{}] }) });
    await expect(loadResults(join(dir, 'result.json'))).rejects.toThrow(/can read: scenarios\[0\]\.scenario: missing: expected object$/);
  });

  it('takes every default of a section left out from the schema', async () => {
    const dir = tempFiles({
      'bare.yml': 'target: { image: x }\n',
      'partial.yml': 'target: { image: x }\noracles: { handles: { fd_slack: 2 } }\nfaults: { pauses: true }\n',
    });
    const bare = await loadScenario(join(dir, 'bare.yml'));
    expect(bare.oracles).toEqual({ lost_requests: { no_refusals_for: 0 }, handles: { fd_slack: 8, allow_zombies: false, removed_on_exit: [], kept_on_exit: [] } });
    expect(bare.faults).toMatchObject({ to: ['main'], races: true, storms: true, pauses: false, partitions: false, maxEvents: 3, horizon: 1500, step: 25 });
    expect(bare.workload).toEqual({ requests: [], streams: [], tcp: [], grpc: [] });
    expect(bare.target.ready).toEqual({ timeout: 30_000 });
    const partial = await loadScenario(join(dir, 'partial.yml'));
    expect(partial.oracles.handles).toEqual({ fd_slack: 2, allow_zombies: false, removed_on_exit: [], kept_on_exit: [] });
    expect(partial.faults).toMatchObject({ pauses: true, races: true, step: 25 });
  });

  it('keeps every problem of a scenario in one error, one line each, in the order of the file', async () => {
    const dir = tempFiles({ 's.yml': 'target:\n  image: x\n  stop_grace_period: soon\n  init: "yes"\n' });
    const error = await loadScenario(join(dir, 's.yml')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    const file = join(dir, 's.yml');
    expect((error as ScenarioError).message.split('\n')).toEqual([
      `${file}:3:22: target.stop_grace_period: expected a duration such as 500ms, 10s or 1m30s (or a number of milliseconds), at most 24 days`,
      `${file}:4:9: target.init: expected boolean, received string`,
    ]);
  });
});
