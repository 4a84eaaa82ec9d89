import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { loadScenario } from '../../src/scenario/load.js';

// The schedules the fuzzer draws, pinned: expected.json was drawn by the code before the stop models moved into
// src/stop-models/ (commit 5b7e7ba), so a seed keeps finding, and replaying, what it found then. Each scenario of
// test/fixtures/draws/ (docker stop, written or not, and every other model) at three seeds, and with a start-up window.

const DIR = resolve('test/fixtures/draws');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Record<string, unknown>>;
const files = readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();

describe('the schedules drawn for a seed', () => {
  it('pins a scenario per model', () => expect(Object.keys(expected).sort()).toEqual(files));

  it.each(files)('%s: the same as before, seed by seed', async (file) => {
    const scenario = await loadScenario(join(DIR, file));
    for (const seed of [1, 18, 4242]) expect(fc.sample(scheduleArbitrary(scenario), { seed, numRuns: 12 }), `seed ${seed}`).toEqual(expected[file]![seed]);
    expect(fc.sample(scheduleArbitrary(scenario, () => 2000), { seed: 7, numRuns: 12 }), 'with a start-up window').toEqual(expected[file]!.startup);
  });
});
