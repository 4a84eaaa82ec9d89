import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fuzzSuite, planSuite } from '../../src/session/suite.js';

describe('suite (library)', () => {
  it('plans a directory by shards: together they hold every scenario exactly once', async () => {
    const all = readdirSync('scenarios').filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => `scenarios/${n}`);
    const one = await planSuite(['scenarios'], { index: 1, total: 2 });
    const two = await planSuite(['scenarios'], { index: 2, total: 2 });
    expect(one.shard).toEqual({ index: 1, total: 2 });
    expect([...one.scenarios, ...two.scenarios].sort()).toEqual(all);
    expect((await planSuite(['scenarios'])).scenarios).toEqual(all);
  });

  it('an interrupted suite runs nothing and reports every scenario skipped', async () => {
    const plan = await planSuite(['scenarios/sigint-only.yml', 'scenarios/sigint-only-fixed.yml'], { index: 1, total: 1 });
    const set = await fuzzSuite(plan, { signal: AbortSignal.abort(), seed: 5 });
    expect(set.interrupted).toBe(true);
    expect(set.baseSeed).toBe(5);
    expect(set.shards).toEqual([{ index: 1, total: 1 }]);
    expect(set.scenarios.map((s) => s.verdict)).toEqual(['skipped', 'skipped']);
  });

  it('bad input throws before anything runs', async () => {
    await expect(planSuite([])).rejects.toThrow(/name at least one scenario file or directory/);
  });
});
