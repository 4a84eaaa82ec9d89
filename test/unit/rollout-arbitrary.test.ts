import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { runCampaign } from '../../src/fuzz/campaign.js';
import { fewerReplicas } from '../../src/fuzz/fewer-replicas.js';
import type { TrialOutcome } from '../../src/fuzz/trial-fn.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { FaultEvent, Schedule } from '../../src/schedule/event.js';
import { tempFiles } from '../helpers/files.js';

// A rollout's schedules (src/fuzz/rollout-arbitrary.ts): the faults of a written `faults:` aimed at its replicas, its
// readiness flaps, and its size shrunk to fewer replicas under the campaign's rule.

const target = 'target:\n  process: { command: [./server] }\n  ready: { http: /healthz }\n';
const rollout = 'replicas: 3\nrollout: { max_surge: 1, max_unavailable: 0, readiness: { period: 200ms, failure_threshold: 2 }, endpoint_lag: [100ms, 500ms] }\n';
const stop = 'stop: { model: kubernetes, pre_stop: { sleep: 1s } }\nexpect:\n  SIGTERM: { exit: [0] }\n  SIGHUP: { alive: true }\n';
const load = (body: string) => loadScenario(join(tempFiles({ 'scenario.yml': `${target}${rollout}${stop}${body}` }), 'scenario.yml'));
const sizeOf = (s: Schedule, n = 3) => (s.find((e) => e.kind === 'rollout') as { replicas: number } | undefined)?.replicas ?? n;

describe("a rollout's fault space", () => {
  it('without `faults:` draws the timing alone, as before', async () => {
    const scenario = await load('');
    for (const s of fc.sample(scheduleArbitrary(scenario), { numRuns: 40, seed: 3 })) expect(s.every((e) => e.kind === 'stop')).toBe(true);
  });

  it('with `faults:` aims each fault at a replica: a terminating signal only at an old one, after its own stop signal', async () => {
    const scenario = await load('faults: { signals: [SIGTERM, SIGHUP], pauses: true, flaps: true, max_events: 3 }\n');
    const seen = new Set<string>();
    for (const s of fc.sample(scheduleArbitrary(scenario), { numRuns: 200, seed: 5 })) {
      expect(s.filter((e) => e.kind === 'stop').length).toBeGreaterThanOrEqual(1);
      for (const e of s as (FaultEvent & { replica?: string; from?: string })[]) {
        seen.add(e.kind);
        if (e.kind === 'stop' || e.kind === 'rollout') continue;
        expect(e.replica).toMatch(/^v[12]-[123]$/);
        if (e.kind === 'signal' && e.signal === 'SIGTERM') {
          expect(e.replica).toMatch(/^v1-/);
          expect(e.from).toBe('stop');
          expect(e.at).toBeGreaterThan(1000); // the preStop sleep: its own signal comes 1 s after its stop began
        }
        if (e.kind === 'unready') {
          expect(e.replica).toMatch(/^v2-/);
          expect(e.duration % 200).toBe(0);
          expect(e.duration).toBeLessThanOrEqual(4 * 200);
        }
      }
      expect(s.some((e) => e.kind === 'rollout')).toBe(false); // drawn at the scenario's size
    }
    expect([...seen].sort()).toEqual(['pause', 'signal', 'stop', 'storm', 'unready']);
  });

  it("shrinks a rollout's size to 1 first, then each size up to one fewer", () => {
    const arbitrary = fewerReplicas(4);
    expect(new Set(fc.sample(arbitrary, { numRuns: 20, seed: 1 }))).toEqual(new Set([4]));
    expect([...arbitrary.shrink(4, undefined)].map((v) => v.value)).toEqual([1, 2, 3]);
    expect([...arbitrary.shrink(1, undefined)]).toEqual([]);
  });
});

/** Fails when an old replica gets a second SIGTERM during its drain, as often as `rate` says for the rollout's size. */
function fakeRollout(rate: (replicas: number) => number, seed: number) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return async (schedule: Schedule): Promise<TrialOutcome> => {
    const second = schedule.some((e) => e.kind === 'signal' && e.signal === 'SIGTERM' && 'replica' in e && e.replica?.startsWith('v1-'));
    if (second && random() < rate(sizeOf(schedule))) {
      return { kind: 'fail', signatures: ['second-signal/fail'], failures: [{ oracle: 'second-signal', verdict: 'fail', message: 'v1-1: not ignored' }] };
    }
    return { kind: 'pass' };
  };
}

describe('a failing rollout shrunk to fewer replicas (a fixed campaign: seeded fake trials)', () => {
  it('keeps the smallest rollout when it fails as often', async () => {
    const scenario = await load('faults: { signals: [SIGTERM] }\n');
    for (const seed of [1, 2]) {
      const { summary } = await runCampaign(scenario, () => fakeRollout(() => 1, seed), { parallel: 1, seed, runs: 40, budgetMs: 60_000, confirmRuns: 10 });
      expect(summary.outcome.kind).toBe('failed');
      if (summary.outcome.kind !== 'failed') return;
      expect(sizeOf(summary.outcome.original)).toBe(3);
      expect(sizeOf(summary.outcome.minimal)).toBe(1);
      expect(summary.minimalSteps[0]).toMatch(/rollout of 1 replica$/);
    }
  });

  it('keeps a larger rollout when the smaller one reproduces clearly less often (the campaign\'s asOften rule)', async () => {
    const scenario = await load('faults: { signals: [SIGTERM] }\n');
    const passedOver: Schedule[] = [];
    for (const seed of [1, 2, 3]) {
      const { summary } = await runCampaign(scenario, () => fakeRollout((n) => (n >= 2 ? 1 : 0.4), seed), { parallel: 1, seed, runs: 40, budgetMs: 60_000, confirmRuns: 20 });
      expect(summary.outcome.kind).toBe('failed');
      if (summary.outcome.kind !== 'failed') return;
      expect(sizeOf(summary.outcome.minimal)).toBeGreaterThanOrEqual(2);
      passedOver.push(...(summary.outcome.notReproduced ?? []), ...(summary.outcome.lessReliable ?? []).map((l) => l.schedule));
    }
    // A rollout of 1 was accepted by shrinking on a failure, and passed over in confirmation: it fails less often.
    expect(passedOver.some((s) => sizeOf(s) === 1)).toBe(true);
  });
});
