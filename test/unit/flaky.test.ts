import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Schedule } from '../../src/schedule/event.js';
import { Budget, worstCaseTrialMs } from '../../src/fuzz/budget.js';
import { FlakyProperty, type FlakySettings } from '../../src/fuzz/flaky.js';
import { minimalOf, originalOf, shrinkingOf, shrinkStepsOf } from '../../src/fuzz/property-state.js';
import { withoutSecondSignals } from '../../src/fuzz/second-signals.js';
import type { TrialOutcome } from '../../src/fuzz/trial-fn.js';
import { cleanRunsNeeded, wilson } from '../../src/fuzz/wilson.js';

// The one place a fake is right: a pure, seeded predicate over a schedule stands in for a real trial, so the
// shrinking logic can be checked exactly. The "bug": a SIGINT within 100 ms after a SIGTERM fails, with a
// seeded probability; a SIGHUP anywhere fails differently (another signature).
const settings: FlakySettings = { estimateRuns: 3, maxCleanRuns: 8, infraRetries: 2, shrinkTrials: 1000, shrinkMs: 60_000 };

function fakeTrial(failRate: number, seed = 1) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const calls: Schedule[] = [];
  const trial = async (schedule: Schedule): Promise<TrialOutcome> => {
    calls.push(schedule);
    const at = (s: string) => schedule.filter((e) => e.kind === 'signal' && e.signal === s).map((e) => e.at);
    const buggy = at('SIGTERM').some((t) => at('SIGINT').some((i) => i >= t && i - t <= 100));
    if (buggy && random() < failRate) return fail('second-signal/not-ignored');
    if (at('SIGHUP').length > 0 && random() < failRate) return fail('alive/died');
    return { kind: 'pass' };
  };
  return { trial, calls };
}

const fail = (signature: string): TrialOutcome => {
  const [oracle, kind] = signature.split('/');
  return { kind: 'fail', signatures: [signature], failures: [{ oracle: oracle!, verdict: 'fail', kind: kind!, message: signature }] };
};
// The property's state is a tagged union: what shrinking knows exists only once a failure is confirmed.
const shrinking = (property: FlakyProperty) => shrinkingOf(property.state);
const sig = (at: number, signal: 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'SIGUSR1') => ({ at, kind: 'signal' as const, signal, to: 'main' as const });

describe('flaky-aware shrinking', () => {
  it('confirms a first failure by re-running it, and estimates its rate', async () => {
    const { trial, calls } = fakeTrial(1);
    const property = new FlakyProperty(trial, settings);
    expect(await property.check([sig(0, 'SIGTERM'), sig(50, 'SIGINT')])).toBe(false);
    expect(calls).toHaveLength(4); // the failure + 3 estimation runs
    expect(shrinking(property)?.target).toEqual({ signature: 'second-signal/not-ignored', rate: 1, cleanRuns: 1 });
  });

  it('with `parallel`, starts repeated runs of one schedule that many at a time, and still shrinks to the minimum', async () => {
    const { trial } = fakeTrial(1);
    let running = 0;
    let most = 0;
    const counted = async (schedule: Schedule) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      return trial(schedule);
    };
    const property = new FlakyProperty(counted, { ...settings, parallel: 2 });
    expect(await property.check([sig(0, 'SIGTERM'), sig(50, 'SIGINT'), sig(70, 'SIGUSR1')])).toBe(false);
    expect(most).toBe(2);
    expect(property.state.findings[0]!.reproduced).toEqual({ k: 4, n: 4 });
    expect(await property.check([sig(0, 'SIGTERM'), sig(50, 'SIGINT')])).toBe(false); // a smaller candidate that fails
    expect(await property.check([sig(0, 'SIGTERM')])).toBe(true); // one that holds
    expect(minimalOf(shrinking(property)!).schedule).toHaveLength(2);
  });

  it('reports a failure that never reproduces as unconfirmed and does not shrink it', async () => {
    let n = 0;
    const property = new FlakyProperty(async () => (n++ === 0 ? fail('exit-status/killed') : { kind: 'pass' }), settings);
    expect(await property.check([sig(0, 'SIGTERM')])).toBe(true);
    expect(shrinking(property)?.target).toBeUndefined();
    expect(property.state.findings).toMatchObject([{ signature: 'exit-status/killed', confirmed: false, reproduced: { k: 1, n: 4 } }]);
  });

  it('needs k clean runs before a shrink candidate counts as passing, k from the estimated rate', async () => {
    expect(cleanRunsNeeded(1)).toBe(1);
    expect(cleanRunsNeeded(0.5)).toBe(5);
    expect(cleanRunsNeeded(0.25)).toBe(8); // capped
    const { trial, calls } = fakeTrial(0.5, 7);
    const property = new FlakyProperty(trial, settings);
    // Find and confirm a failure first (rate estimate from 4 runs).
    let first: boolean | undefined;
    for (let seed = 0; first !== false && seed < 20; seed++) first = await property.check([sig(0, 'SIGTERM'), sig(50 + seed, 'SIGINT')]);
    expect(first).toBe(false);
    const k = shrinking(property)!.target.cleanRuns;
    calls.length = 0;
    // A candidate without the bug passes only after exactly k clean runs.
    expect(await property.check([sig(0, 'SIGTERM')])).toBe(true);
    expect(calls).toHaveLength(k);
    // …and is cached: asking again runs nothing.
    expect(await property.check([sig(0, 'SIGTERM')])).toBe(true);
    expect(calls).toHaveLength(k);
  });

  it('does not follow a different failure while shrinking, but keeps it as a separate finding', async () => {
    const { trial } = fakeTrial(1);
    const property = new FlakyProperty(trial, settings);
    await property.check([sig(0, 'SIGTERM'), sig(50, 'SIGINT'), sig(60, 'SIGHUP')]);
    expect(await property.check([sig(60, 'SIGHUP')])).toBe(true);
    expect(property.state.findings.map((f) => f.signature)).toEqual(['second-signal/not-ignored', 'alive/died']);
  });

  it('retries infrastructure errors and never lets them count as failures', async () => {
    let n = 0;
    const property = new FlakyProperty(async () => (n++ < 2 ? { kind: 'infrastructure', error: 'engine hiccup' } : { kind: 'pass' }), settings);
    expect(await property.check([sig(0, 'SIGTERM')])).toBe(true);
    expect(property.state.counts.infrastructureErrors).toBe(2);
    expect([...property.errors]).toEqual([['engine hiccup', 2]]); // what the report says was retried
    const broken = new FlakyProperty(async () => ({ kind: 'infrastructure', error: 'engine gone' }), settings);
    expect(await broken.check([sig(0, 'SIGTERM')])).toBe(true);
    expect(broken.state.findings).toEqual([]);
    expect([...broken.errors]).toEqual([['engine gone', settings.infraRetries + 1]]);
  });

  it('ends shrinking at the budget with the best schedule so far', async () => {
    let clock = 0;
    const { trial } = fakeTrial(1);
    const property = new FlakyProperty(trial, { ...settings, shrinkMs: 100, now: () => clock });
    await property.check([sig(0, 'SIGTERM'), sig(50, 'SIGINT'), sig(70, 'SIGUSR1')]);
    clock = 1000;
    expect(await property.check([sig(0, 'SIGTERM'), sig(50, 'SIGINT')])).toBe(true);
    expect(property.state.cuts.shrink !== undefined).toBe(true);
    expect(minimalOf(shrinking(property)!).schedule).toHaveLength(3);
  });

  it('drives fast-check from a generated noisy failure to the minimal schedule of a flaky bug (2 events)', async () => {
    const { trial } = fakeTrial(0.6, 3);
    const property = new FlakyProperty(trial, settings);
    const event = fc.record({
      at: fc.integer({ min: 0, max: 8 }).map((n) => n * 25),
      kind: fc.constant('signal' as const),
      signal: fc.constantFrom('SIGUSR1' as const, 'SIGTERM' as const, 'SIGINT' as const),
      to: fc.constant('main' as const),
    });
    await fc.check(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 6 }), (s) => property.check([...s].sort((a, b) => a.at - b.at))),
      { numRuns: 300, seed: 42 },
    );
    expect(originalOf(shrinking(property)!).length).toBeGreaterThanOrEqual(2);
    const minimal = minimalOf(shrinking(property)!).schedule;
    expect(minimal.map((e) => (e.kind === 'signal' ? e.signal : e.kind))).toEqual(['SIGTERM', 'SIGINT']);
    expect(shrinkStepsOf(shrinking(property)!)).toBeGreaterThan(0);
  });
});

// A hang: one SIGTERM is enough to fail (as the keep-alive drain hang), whatever comes after it.
function hangTrial(clock: { ms: number }, trialMs = 100) {
  const calls: Schedule[] = [];
  const trial = async (schedule: Schedule): Promise<TrialOutcome> => {
    calls.push(schedule);
    clock.ms += trialMs;
    const term = schedule.some((e) => (e.kind === 'signal' && e.signal === 'SIGTERM') || (e.kind === 'race' && e.signals.includes('SIGTERM')));
    return term ? fail('deadline/sigkill-needed') : { kind: 'pass' };
  };
  return { trial, calls };
}
const race = (at: number) => ({ at, kind: 'race' as const, signals: ['SIGTERM' as const, 'SIGINT' as const], to: 'main' as const });
const isTerminating = (s: string) => s === 'SIGTERM' || s === 'SIGINT';

describe('budget', () => {
  it('never starts a trial (or a batch) that cannot end before the deadline, in any phase', async () => {
    const clock = { ms: 0 };
    const { trial } = hangTrial(clock, 100);
    const budget = new Budget(0, 1050, () => clock.ms);
    const property = new FlakyProperty(trial, { ...settings, parallel: 1, budget, now: () => clock.ms });
    // Exploring schedules that hold: each trial takes 100 ms; the last one must end by 1050.
    for (let i = 0; i < 30; i++) await property.check([sig(i, 'SIGUSR1')]);
    expect(clock.ms).toBeLessThanOrEqual(1050);
    expect(clock.ms).toBeGreaterThanOrEqual(950);
    expect(property.state.cuts.explore !== undefined).toBe(true);
    // A failure met with too little time left: its estimate is cut, not run past the deadline.
    const late = new FlakyProperty(hangTrial(clock, 100).trial, { ...settings, budget: new Budget(clock.ms, 250, () => clock.ms), now: () => clock.ms });
    const start = clock.ms;
    await late.check([sig(0, 'SIGTERM')]);
    expect(clock.ms - start).toBeLessThanOrEqual(250);
    expect(late.state.cuts.estimate !== undefined).toBe(true);
  });

  it('bounds a trial by ready timeout + horizon + longest event + settle + exit wait + overhead', () => {
    const scenario = {
      target: { stopGracePeriod: 10_000, ready: { timeout: 10_000 }, stopSignal: 'SIGTERM' as const },
      expect: { SIGTERM: { kind: 'exit' as const, exit: [0], within: 5000 }, SIGHUP: { kind: 'alive' as const, settle: 1000 } },
      faults: { signals: [], to: ['main' as const], races: true, storms: true, pauses: true, partitions: false, maxEvents: 3, horizon: 1500, step: 25 },
    };
    expect(worstCaseTrialMs(scenario)).toBe(10_000 + 1500 + 2000 + 1000 + 10_000 + 3000);
  });
});

describe('shrinking drops the second signal before the budget is spent', () => {
  it('lists the schedule without each race / later terminating signal, all at once first', () => {
    expect(withoutSecondSignals([race(0), sig(50, 'SIGINT'), sig(60, 'SIGUSR1')], isTerminating)).toEqual([
      [sig(0, 'SIGTERM'), sig(60, 'SIGUSR1')],
      [sig(0, 'SIGTERM'), sig(50, 'SIGINT'), sig(60, 'SIGUSR1')],
      [sig(0, 'SIGINT'), sig(50, 'SIGINT'), sig(60, 'SIGUSR1')],
      [race(0), sig(60, 'SIGUSR1')],
    ]);
    expect(withoutSecondSignals([sig(0, 'SIGTERM'), sig(60, 'SIGUSR1')], isTerminating)).toEqual([]);
  });

  it('a hang shrunk until its last share still holding a race ends as the single signal', async () => {
    const clock = { ms: 0 };
    const { trial } = hangTrial(clock, 100);
    const budget = new Budget(0, 10_000, () => clock.ms);
    const property = new FlakyProperty(trial, { ...settings, budget, now: () => clock.ms, until: () => 1000, isTerminating });
    expect(await property.check([race(0), sig(50, 'SIGINT')])).toBe(false); // found + 3 estimate runs: clock 400
    expect(shrinking(property)?.firstFailureAt).toBe(400);
    // fast-check is slow to get there: its candidates use up the shrink window but the last quarter (850..1000).
    clock.ms = 860;
    expect(await property.check([race(0)])).toBe(true); // cut: the last share is kept
    expect(minimalOf(shrinking(property)!).schedule).toEqual([race(0), sig(50, 'SIGINT')]);
    await property.dropSecondSignals();
    expect(shrinking(property)?.secondSignalTried).toBe(true);
    expect(minimalOf(shrinking(property)!).schedule).toEqual([sig(0, 'SIGTERM')]);
    expect(clock.ms).toBeLessThanOrEqual(1000);
    // Without the rule (no isTerminating), the same budget leaves the race in the minimal schedule.
    const clock2 = { ms: 0 };
    const plain = new FlakyProperty(hangTrial(clock2, 100).trial, { ...settings, budget: new Budget(0, 10_000, () => clock2.ms), now: () => clock2.ms, until: () => 1000 });
    await plain.check([race(0), sig(50, 'SIGINT')]);
    clock2.ms = 960;
    expect(await plain.check([race(0)])).toBe(true);
    await plain.dropSecondSignals();
    expect(minimalOf(shrinking(plain)!).schedule).toEqual([race(0), sig(50, 'SIGINT')]);
  });

  it('keeps the second signal when it is what fails (the double-close kind)', async () => {
    const { trial } = fakeTrial(1);
    const property = new FlakyProperty(trial, { ...settings, isTerminating });
    expect(await property.check([sig(0, 'SIGTERM'), sig(50, 'SIGINT')])).toBe(false);
    await property.dropSecondSignals();
    expect(shrinking(property)?.secondSignalTried).toBe(true);
    expect(minimalOf(shrinking(property)!).schedule).toEqual([sig(0, 'SIGTERM'), sig(50, 'SIGINT')]);
  });
});

describe('Wilson interval', () => {
  it('brackets the observed rate and stays inside [0, 1]', () => {
    expect(wilson(20, 20).high).toBe(1);
    expect(wilson(20, 20).low).toBeCloseTo(0.839, 2);
    expect(wilson(0, 20).low).toBe(0);
    const mid = wilson(10, 20);
    expect(mid.low).toBeLessThan(0.5);
    expect(mid.high).toBeGreaterThan(0.5);
  });
});
