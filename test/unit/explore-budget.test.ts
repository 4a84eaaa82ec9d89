import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { scheduleArbitrary, sortSchedule } from '../../src/fuzz/arbitrary.js';
import { defaultFuzzBudget, interactive } from '../../src/cli/interactive.js';
import { runCampaign } from '../../src/fuzz/campaign.js';
import { cutOf } from '../../src/fuzz/cut.js';
import type { TrialOutcome } from '../../src/fuzz/trial-fn.js';
import type { Schedule } from '../../src/schedule/event.js';
import { loadScenario } from '../../src/scenario/load.js';

// The budget is the exploration limit (issue 26): without `runs` a campaign draws new schedules until no more fit
// in its budget, lazily and in its seed's order. A pure predicate stands in for the trial, as in flaky.test.ts and
// lookahead.test.ts, so what is drawn, and in which order, can be checked exactly.

// fc.sample, watched: how many schedules the campaign draws ahead (for the lookahead) at a time.
const sampled = vi.hoisted(() => [] as number[]);
vi.mock('fast-check', async (importOriginal) => {
  const real = (await importOriginal<{ default: typeof import('fast-check').default }>()).default;
  const sample: typeof real.sample = (generator, params) => {
    sampled.push(typeof params === 'number' ? params : (params?.numRuns ?? 100));
    return real.sample(generator, params);
  };
  return { default: { ...real, sample } };
});

const scenarioFile = 'scenarios/hup-unhandled.yml';
const key = (s: Schedule) => JSON.stringify(s);

/**
 * The scenario with its horizon fixed (`horizon_max` = `horizon`): no growth and no scouting, so what is drawn is
 * fast-check's sequence itself, and the budget alone decides how far down it a campaign gets. (How the horizon moves
 * the draws is test/unit/horizon.test.ts's.)
 */
async function fixedHorizon() {
  const scenario = await loadScenario(scenarioFile);
  scenario.faults.horizonMax = scenario.faults.horizon;
  return scenario;
}

/** What fast-check's seed generates, in order, as the campaign sorts it (its arbitrary reads the start-up window, unknown here). */
async function generated(seed: number, n: number): Promise<Schedule[]> {
  const scenario = await fixedHorizon();
  return fc.sample(scheduleArbitrary(scenario, () => undefined), { seed, numRuns: n }).map(sortSchedule);
}

/** A campaign whose trials pass (or fail on `bug`) after a millisecond or two; the schedules in the order their first trial ran. */
async function campaign(options: { seed: number; budgetMs: number; parallel: number; runs?: number; bug?: (s: Schedule) => boolean; scouting?: boolean }) {
  const scenario = options.scouting ? await loadScenario(scenarioFile) : await fixedHorizon();
  const order: string[] = [];
  // A fake clock each trial advances by what it "took" (the budget.test.ts way): how far the budget goes does not
  // depend on the machine's load. Each trial "takes" 10–20 ms, so fast-check's own limit (the budget, on the real
  // clock) stays far beyond the second or so a busy machine needs to run them.
  const clock = { ms: 0 };
  const trial = async (schedule: Schedule): Promise<TrialOutcome> => {
    if (!order.includes(key(schedule))) order.push(key(schedule));
    await new Promise((r) => setImmediate(r));
    clock.ms += 10 * (1 + (order.length % 2));
    return options.bug?.(schedule)
      ? { kind: 'fail', signatures: ['alive/died'], failures: [{ oracle: 'alive', verdict: 'fail', kind: 'died', message: 'died' }] }
      : { kind: 'pass' };
  };
  const { bug: _, scouting: __, ...campaignOptions } = options;
  const { summary } = await runCampaign(scenario, () => trial, { ...campaignOptions, confirmRuns: 4, clock: () => clock.ms });
  return { summary, order };
}

describe('exploring until the budget is spent', () => {
  it('goes on past the old 50 schedules while the budget allows, and says how much of the fault space it covered', async () => {
    const parallel = 2;
    const { summary } = await campaign({ seed: 3, budgetMs: 15_000, parallel });
    const { explored, longestTrialMs: longest } = summary;
    expect(summary.verdict).toBe('pass');
    expect(summary.runs).toBeUndefined();
    expect(summary.cut).toBeUndefined(); // exploring until the budget is the plan, not a cut
    expect(explored.endedBy).toBe('budget');
    // It stopped only when no schedule (its trial, a failure's estimate, one confirmation batch) fitted any more.
    expect(explored.durationMs + (Math.ceil(3 / parallel) + 2) * longest).toBeGreaterThanOrEqual(summary.budgetMs);
    expect(summary.durationMs).toBeLessThanOrEqual(summary.budgetMs + summary.worstCaseTrialMs);
    // Each schedule's turn takes at most its trial: so many fitted in the time exploring took (more than 50 when it allowed that).
    const allowed = Math.floor((explored.durationMs - 1000) / longest);
    expect(summary.schedulesTried).toBeGreaterThanOrEqual(Math.min(allowed, 500));
    if (allowed > 50) expect(summary.schedulesTried).toBeGreaterThan(50);
    expect(explored.cells).toBeGreaterThan(0);
    expect(explored.cells).toBeLessThanOrEqual(explored.totalCells);
    expect(explored.kinds.map((k) => k.kind)).toEqual(['SIGTERM', 'SIGHUP', 'storm']); // SIGHUP must be survived: storms of it, no race
    expect(explored.latestMs).toBeLessThanOrEqual(explored.horizonMs);
  });

  it('draws the same schedules in the same order for a seed, whatever the budget or --runs, as fast-check generates them', async () => {
    const short = await campaign({ seed: 11, budgetMs: 4000, parallel: 1 });
    const long = await campaign({ seed: 11, budgetMs: 12_000, parallel: 1 });
    const limited = await campaign({ seed: 11, budgetMs: 60_000, parallel: 1, runs: 30 });
    expect(short.order.length).toBeGreaterThan(10);
    expect(long.order.length).toBeGreaterThan(short.order.length);
    expect(long.order.slice(0, short.order.length)).toEqual(short.order);
    expect(limited.summary.explored.endedBy).toBe('runs');
    expect(limited.summary.schedulesTried).toBe(30);
    // fast-check repeats small values; the property judges each once.
    const seedOrder = [...new Set((await generated(11, long.summary.schedulesTried)).map(key))];
    expect(long.order).toEqual(seedOrder);
    expect(limited.order).toEqual([...new Set((await generated(11, 30)).map(key))]);
  });

  it('with the horizon free to move (scouting past it after 10 schedules), a longer budget still goes further down the same sequence', async () => {
    const short = await campaign({ seed: 11, budgetMs: 4000, parallel: 1, scouting: true });
    const long = await campaign({ seed: 11, budgetMs: 12_000, parallel: 1, scouting: true });
    expect(short.order.length).toBeGreaterThan(10);
    expect(long.order.slice(0, short.order.length)).toEqual(short.order);
    expect(long.summary.horizon?.scoutMs).toBeGreaterThan(long.summary.horizon!.initialMs);
  });

  it('draws lazily: about twice what it tries, never an upfront sample of an unbounded count', async () => {
    sampled.length = 0;
    const { summary } = await campaign({ seed: 5, budgetMs: 8000, parallel: 4 });
    expect(summary.schedulesTried).toBeGreaterThan(20);
    expect(sampled.length).toBeGreaterThan(1); // drawn again as the lookahead reads on
    // The lookahead reads at most 2 × width past the schedule being judged; the list grows by doubling.
    expect(Math.max(...sampled)).toBeLessThanOrEqual(2 * (summary.schedulesTried + 4 * 2 + 1));
  });

  it('finds a failure past the 50th schedule with the same first failure and minimal schedule at --parallel 1 and 4', async () => {
    // A seeded "bug": a SIGHUP at 1300 ms or later. For seeds 4 and 5 fast-check first draws one after its 50th schedule.
    const bug = (s: Schedule) => s.some((e) => e.kind === 'signal' && e.signal === 'SIGHUP' && e.at >= 1300);
    for (const seed of [4, 5]) {
      const first = (await generated(seed, 200)).find(bug)!;
      const index = [...new Set((await generated(seed, 200)).map(key))].indexOf(key(first));
      expect(index).toBeGreaterThan(50);
      const one = await campaign({ seed, budgetMs: 60_000, parallel: 1, bug });
      const four = await campaign({ seed, budgetMs: 60_000, parallel: 4, bug });
      for (const { summary } of [one, four]) {
        if (summary.outcome.kind !== 'failed') throw new Error(`seed ${seed}: expected a failure, got ${summary.outcome.kind}`);
        expect(summary.outcome.original).toEqual(first);
        expect(summary.explored.endedBy).toBe('failure');
      }
      const [o1, o4] = [one.summary.outcome, four.summary.outcome];
      if (o1.kind !== 'failed' || o4.kind !== 'failed') throw new Error('unreachable');
      expect(o4.minimal).toEqual(o1.minimal);
    }
  });
});

describe('the default budget, and what counts as cut', () => {
  it('is 1 minute for a person at a terminal, 5 under CI or when not a terminal', () => {
    const tty = { isTTY: true };
    expect(interactive(tty, {})).toBe(true);
    expect(interactive(tty, { CI: 'true' })).toBe(false);
    expect(interactive(tty, { CI: '1' })).toBe(false);
    expect(interactive(tty, { CI: 'false' })).toBe(true);
    expect(interactive({ isTTY: false }, {})).toBe(false);
    expect(interactive({}, {})).toBe(false);
    expect([defaultFuzzBudget(true), defaultFuzzBudget(false)]).toEqual(['1m', '5m']);
  });

  it('counts the budget ending exploring as a cut only when --runs asked for more', () => {
    const end = { passed: true, schedulesTried: 80, budgetMs: 60_000, cuts: { explore: 'deadline' as const } };
    expect(cutOf({ ...end, runs: undefined })).toBeUndefined();
    expect(cutOf({ ...end, runs: 200 })).toMatchObject({ phase: 'exploring', schedules: { done: 80, planned: 200 }, message: 'budget of 60 s spent while exploring: 80 of 200 schedules tried' });
    expect(cutOf({ ...end, runs: 80 })).toBeUndefined();
  });
});
