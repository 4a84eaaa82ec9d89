import { describe, expect, it } from 'vitest';
import { amplifySearch, ranked, survivors, type Arm } from '../../src/fuzz/amplify.js';
import { Budget } from '../../src/fuzz/budget.js';
import { LASTING_MS, type Neighbourhood } from '../../src/fuzz/neighbourhood.js';
import { neighbours as around } from '../../src/fuzz/neighbours.js';
import { describeChanges } from '../../src/fuzz/variant-changes.js';
import { scaleWorkload, variantScenario, type Variant } from '../../src/fuzz/variant.js';
import type { Schedule } from '../../src/schedule/event.js';
import type { Scenario, Workload } from '../../src/scenario/types.js';

const twoSignals: Schedule = [
  { at: 600, kind: 'signal', signal: 'SIGTERM', to: 'main' },
  { at: 650, kind: 'signal', signal: 'SIGINT', to: 'main' },
];
const space = (step: number, scalable: boolean): Neighbourhood => ({ step, horizon: 1500, scalable, recipients: ['main'], lasting: LASTING_MS });
const neighbours = (x: Variant, step: number, scalable: boolean) => around(x, space(step, scalable));
const v = (schedule: Schedule, workloadScale = 1): Variant => ({ schedule, workloadScale });
const arm = (failed: number, runs: number, at = 0): Arm => ({ variant: v([{ at, kind: 'signal', signal: 'SIGTERM', to: 'main' }]), failed, runs });

describe('neighbours', () => {
  it('shifts each event by one and two steps, never before readiness', () => {
    const n = neighbours(v([{ at: 25, kind: 'signal', signal: 'SIGTERM', to: 'main' }]), 25, false);
    expect(n.filter((x) => x.cpus === undefined).map((x) => x.schedule[0]!.at).sort((a, b) => a - b)).toEqual([0, 50, 75]);
  });

  it('narrows the gap between two signals and closes it into a race', () => {
    const n = neighbours(v(twoSignals), 25, false).map((x) => x.schedule);
    expect(n).toContainEqual([twoSignals[0], { ...twoSignals[1], at: 625 }]); // gap halved
    expect(n).toContainEqual([{ at: 600, kind: 'race', signals: ['SIGTERM', 'SIGINT'], to: 'main' }]);
  });

  it('opens a race into two signals a step apart', () => {
    const n = neighbours(v([{ at: 100, kind: 'race', signals: ['SIGTERM', 'SIGINT'], to: 'main' }]), 25, false).map((x) => x.schedule);
    expect(n).toContainEqual([
      { at: 100, kind: 'signal', signal: 'SIGTERM', to: 'main' },
      { at: 125, kind: 'signal', signal: 'SIGINT', to: 'main' },
    ]);
  });

  it('doubles and halves a storm’s count and spacing', () => {
    const storm = { at: 0, kind: 'storm' as const, signals: ['SIGHUP' as const], count: 12, spacing: 50, to: 'main' };
    const n = neighbours(v([storm]), 25, false).map((x) => x.schedule[0]);
    expect(n).toContainEqual({ ...storm, count: 24 });
    expect(n).toContainEqual({ ...storm, count: 6 });
    expect(n).toContainEqual({ ...storm, spacing: 25 });
    expect(n).toContainEqual({ ...storm, spacing: 100 });
  });

  it('scales the workload up and down only when asked, and never repeats a variant', () => {
    expect(neighbours(v(twoSignals), 25, false).every((x) => x.workloadScale === 1)).toBe(true);
    const scaled = neighbours(v(twoSignals), 25, true).filter((x) => x.workloadScale !== 1);
    expect(scaled.map((x) => x.workloadScale).sort()).toEqual([0.5, 2]);
    const keys = neighbours(v(twoSignals), 25, true).map((x) => JSON.stringify(x));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).not.toContain(JSON.stringify(v(twoSignals)));
  });

  it('tightens or loosens the target’s CPU limit one level at a time', () => {
    const limits = (x: Variant) => neighbours(x, 25, false).filter((n) => n.cpus !== x.cpus).map((n) => n.cpus ?? 'none');
    expect(limits(v(twoSignals))).toEqual([1]);
    expect(limits({ ...v(twoSignals), cpus: 0.25 }).sort()).toEqual([0.1, 0.5]);
    expect(limits({ ...v(twoSignals), cpus: 1 })).toEqual(['none', 0.5]);
  });
});

describe('describeChanges', () => {
  it('says which event moved and by how much, and the workload scale', () => {
    const changes = describeChanges(v(twoSignals), v([twoSignals[0]!, { ...twoSignals[1]!, at: 625 }], 2));
    expect(changes).toEqual(['SIGINT→main at +625 ms instead of +650 ms (earlier by 25 ms)', 'workload rate and concurrency ×2 (instead of ×1)']);
    expect(describeChanges(v(twoSignals), v(twoSignals))).toEqual([]);
    expect(describeChanges(v(twoSignals), { ...v(twoSignals), cpus: 0.25 })).toEqual(['the target limited to 0.25 CPU (instead of no CPU limit)']);
  });

  it('runs a variant’s scenario with its CPU limit on the target, and the original untouched', () => {
    const scenario = { target: { name: 'target' }, workload: { requests: [], streams: [], tcp: [], grpc: [] } } as unknown as Scenario;
    expect(variantScenario(scenario, { workloadScale: 1 })).toBe(scenario);
    expect(variantScenario(scenario, { workloadScale: 1, cpus: 0.5 }).target.cpus).toBe(0.5);
    expect(scenario.target.cpus).toBeUndefined();
  });
});

describe('scaleWorkload', () => {
  it('multiplies rate and concurrency within the schema’s bounds', () => {
    const w = { requests: [{ path: '/slow', rate: 40, concurrency: 8 }], tcp: [], grpc: [], streams: [] } as unknown as Workload;
    expect(scaleWorkload(w, 2).requests[0]).toMatchObject({ rate: 80, concurrency: 16 });
    expect(scaleWorkload(w, 0.25).requests[0]).toMatchObject({ rate: 10, concurrency: 2 });
    expect(scaleWorkload(w, 100).requests[0]).toMatchObject({ rate: 2000, concurrency: 256 });
  });
});

describe('adaptive allocation', () => {
  it('ranks by the Wilson lower bound, not the raw rate', () => {
    const lucky = arm(1, 1); // 100% of one run
    const steady = arm(18, 20); // 90% of twenty
    expect(ranked([lucky, steady])[0]).toBe(steady);
  });

  it('keeps the better half and drops arms that never failed when another did', () => {
    const arms = [arm(0, 4), arm(1, 4), arm(3, 4), arm(0, 4), arm(2, 4), arm(0, 4)];
    const kept = survivors(arms);
    expect(kept.map((a) => a.failed)).toEqual([3, 2, 1]);
    expect(survivors([arm(0, 2), arm(0, 2)])).toHaveLength(1);
  });

  it('climbs to the variant that fails most and spends most trials there', async () => {
    // A simulated target: the second signal fails the more often the closer it is to the first (gap 0 always).
    const failRate = (x: Variant) => {
      const [a, b] = x.schedule;
      if (!b) return a?.kind === 'race' ? 1 : 0;
      return Math.max(0, 1 - Math.abs(b.at - a!.at) / 60);
    };
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    let now = 0;
    const budget = new Budget(0, 10_000, () => now);
    const result = await amplifySearch({
      original: v(twoSignals),
      recorded: { failed: 1, runs: 10 },
      space: space(25, false),
      run: async (x) => {
        now += 1; // one "ms" a trial: the budget never ends this search
        return random() < failRate(x);
      },
      parallel: 2,
      budget,
      confirmRuns: 20,
      goal: 0.9,
    });
    expect(result.goalMet).toBe(true);
    expect(failRate(result.best.variant)).toBe(1);
    expect(result.best.runs).toBeGreaterThanOrEqual(20);
    expect(result.trials).toBe(result.arms.reduce((n, a) => n + a.runs, 0) - 10);
  });

  it('runs a winner at the goal rate on until its interval clears a frequent original (8/10: upper bound 94%)', async () => {
    // The second signal always fails at a gap of 25 ms or less; the original (gap 50) 8 times in 10.
    const fails = (x: Variant) => x.schedule.length === 1 || x.schedule[1]!.at - x.schedule[0]!.at <= 25;
    let now = 0;
    const result = await amplifySearch({
      original: v(twoSignals),
      recorded: { failed: 8, runs: 10 },
      space: space(25, false),
      run: async (x) => {
        now += 1;
        return fails(x);
      },
      parallel: 2,
      budget: new Budget(0, 10_000, () => now),
      confirmRuns: 20,
      goal: 0.9,
    });
    expect(result.goalMet).toBe(true);
    // 20 runs in a row reach a lower bound of 84%, not above 94%: it took more.
    expect(result.best.runs).toBeGreaterThan(20);
    expect(result.best.failed).toBe(result.best.runs);
  });

  it('races a round again when its winner is not better: a variant dropped by two unlucky runs gets its chance', async () => {
    // Scripted outcomes: X (the second signal 25 ms closer) fails 1 of its first 6 runs, then every time; the race
    // fails 2 in 3 throughout, about as often as the original (15/21). Without a second race the race wins the round, is
    // confirmed at about the original's rate, and the search ends there.
    const x = (v: Variant) => v.schedule.length === 2 && v.schedule[1]!.at === 625;
    const isRace = (v: Variant) => v.cpus === undefined && JSON.stringify(v.schedule) === JSON.stringify([{ at: 600, kind: 'race', signals: ['SIGTERM', 'SIGINT'], to: 'main' }]);
    const runs = new Map<string, number>();
    let now = 0;
    const progress: string[] = [];
    const result = await amplifySearch({
      original: v(twoSignals),
      recorded: { failed: 15, runs: 21 },
      space: space(25, false),
      run: async (variant) => {
        now += 1;
        const key = JSON.stringify(variant);
        const n = (runs.get(key) ?? 0) + 1;
        runs.set(key, n);
        if (x(variant)) return n === 2 || n > 6;
        if (isRace(variant)) return n % 3 !== 0;
        return false;
      },
      parallel: 2,
      budget: new Budget(0, 10_000, () => now),
      confirmRuns: 20,
      goal: 0.9,
      onProgress: (m) => progress.push(m),
    });
    expect(progress.some((m) => m.startsWith('racing again'))).toBe(true);
    expect(x(result.best.variant)).toBe(true);
    expect(result.best.failed / result.best.runs).toBeGreaterThanOrEqual(0.75); // 15/20 when confirmed
  });

  it('stops at the budget and stays with the original when nothing around it fails', async () => {
    let now = 0;
    let trials = 0;
    const result = await amplifySearch({
      original: v(twoSignals),
      recorded: { failed: 1, runs: 10 },
      space: space(25, true),
      run: async () => {
        trials++;
        now += 100;
        return false;
      },
      parallel: 1,
      budget: new Budget(0, 5_000, () => now),
      confirmRuns: 20,
      goal: 0.9,
    });
    expect(result.best).toBe(result.original);
    expect(result.goalMet).toBe(false);
    expect(trials).toBeLessThanOrEqual(50);
  });
});

describe('amplify varies what an event holds', () => {
  it('climbs from a short endpoint lag to the longest the model allows, and names the change', async () => {
    // A simulated Kubernetes endpoint-lag bug: the longer new connections keep arriving, the likelier one is refused.
    const failRate = (x: Variant) => {
      const e = x.schedule[0]!;
      return e.kind === 'stop' ? Math.min(1, (e.endpoint_delay ?? 2000) / 1500) : 0;
    };
    let seed = 26;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    let now = 0;
    const lagSpace: Neighbourhood = { ...space(25, false), endpointLag: { maxMs: 2000, modelMs: 2000 } };
    const result = await amplifySearch({
      original: v([{ at: 0, kind: 'stop', endpoint_delay: 275 }]),
      recorded: { failed: 5, runs: 10 },
      space: lagSpace,
      run: async (x) => {
        now += 1;
        return random() < failRate(x);
      },
      parallel: 2,
      budget: new Budget(0, 10_000, () => now),
      confirmRuns: 20,
      goal: 0.9,
    });
    expect(result.goalMet).toBe(true);
    const best = result.best.variant.schedule[0]!;
    expect(best.kind === 'stop' && best.endpoint_delay! >= 1500).toBe(true);
    expect(describeChanges(result.original.variant, result.best.variant, lagSpace)[0]).toBe(`stop: endpoints lag 275 → ${(best as { endpoint_delay: number }).endpoint_delay} ms`);
    // every lag tried stayed within the model's
    for (const a of result.arms) {
      const e = a.variant.schedule[0]!;
      expect(e.kind === 'stop' && e.endpoint_delay! >= 0 && e.endpoint_delay! <= 2000).toBe(true);
    }
  });
});
