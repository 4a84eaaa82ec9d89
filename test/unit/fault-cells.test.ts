import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleArbitrary, sortSchedule } from '../../src/fuzz/arbitrary.js';
import { FaultCells, faultKinds, kindOf } from '../../src/fuzz/fault-cells.js';
import { fromSpawn } from '../../src/schedule/event.js';
import { loadScenario } from '../../src/scenario/load.js';

// The measure of how much of a fault space a campaign covered (src/fuzz/fault-cells.ts): its event kinds must be
// exactly those the arbitrary draws, for every scenario sigstorm ships and every stop model, or the share it reports
// would count cells no schedule can reach (or miss some it can).

const ymls = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yml')).map((f) => join(dir, f));
const files = [...ymls('scenarios'), ...ymls('scenarios/real'), ...ymls('test/fixtures/draws')].sort();

describe('the cells of a fault space', () => {
  it.each(files)('%s: the kinds counted are the kinds drawn', async (file) => {
    const scenario = await loadScenario(file);
    const drawn = new Set<string>();
    for (const schedule of fc.sample(scheduleArbitrary(scenario), { seed: 26, numRuns: 2000 })) {
      for (const event of schedule) if (!fromSpawn(event)) drawn.add(kindOf(event, scenario.target.name));
    }
    expect([...drawn].sort()).toEqual([...faultKinds(scenario)].sort());
  });

  it('marks each (kind, step) cell once; events past the horizon and from spawn count in no cell', async () => {
    const scenario = await loadScenario('scenarios/hup-unhandled.yml');
    const { horizon, step } = scenario.faults;
    const cells = new FaultCells(scenario);
    const kinds = faultKinds(scenario);
    expect(cells.count()).toEqual({ drawn: 0, total: kinds.length * (Math.floor(horizon / step) + 1) });
    cells.note([{ at: 0, kind: 'signal', signal: 'SIGHUP', to: 'main' }, { at: step - 1, kind: 'signal', signal: 'SIGHUP', to: 'group' }]);
    cells.note([{ at: step, kind: 'signal', signal: 'SIGHUP', to: 'main' }, { at: 100, from: 'spawn', kind: 'signal', signal: 'SIGTERM', to: 'main' }]);
    cells.note([{ at: horizon + step, kind: 'signal', signal: 'SIGTERM', to: 'main' }]);
    expect(cells.count().drawn).toBe(2);
    const summary = cells.summary();
    expect(summary).toMatchObject({ cells: 2, stepMs: step, horizonMs: horizon, latestMs: horizon + step });
    expect(summary.kinds.find((k) => k.kind === 'SIGHUP')).toEqual({ kind: 'SIGHUP', cells: 2 });
    expect(summary.kinds.reduce((n, k) => n + k.cells, 0)).toBe(2);
  });

  it('grows with the schedules tried, never past the total', async () => {
    const scenario = await loadScenario('scenarios/return-on-close-fixed.yml');
    const cells = new FaultCells(scenario);
    let last = 0;
    for (const schedule of fc.sample(scheduleArbitrary(scenario), { seed: 3, numRuns: 500 })) {
      cells.note(sortSchedule(schedule));
      const { drawn, total } = cells.count();
      expect(drawn).toBeGreaterThanOrEqual(last);
      expect(drawn).toBeLessThanOrEqual(total);
      last = drawn;
    }
    expect(last).toBeGreaterThan(0);
  });
});
