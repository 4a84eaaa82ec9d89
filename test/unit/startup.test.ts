import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleArbitrary, startupWindow, STARTUP_SLOW_MS } from '../../src/fuzz/arbitrary.js';
import { runCampaign } from '../../src/fuzz/campaign.js';
import type { TrialOutcome } from '../../src/fuzz/trial-fn.js';
import { judge } from '../../src/oracles/judge.js';
import { fromSpawn, ScheduleSchema, describeEvent, type Schedule } from '../../src/schedule/event.js';
import { parseEventsArgument } from '../../src/schedule/parse.js';
import { rebased, type PlayedEvent } from '../../src/schedule/played.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { TrialRecord } from '../../src/trial/record.js';

// The start-up window: events timed from spawn, and the fuzzer's fault space over them.

describe('events timed from spawn', () => {
  it('parse with from: spawn, and describe themselves by it', () => {
    const [e] = parseEventsArgument('[{"at":"1.2s","from":"spawn","signal":"TERM"}]');
    expect(e).toEqual({ at: 1200, from: 'spawn', kind: 'signal', signal: 'SIGTERM', to: 'main' });
    expect(fromSpawn(e!)).toBe(true);
    expect(describeEvent(e!)).toBe('spawn+1200 ms SIGTERM→main');
    expect(fromSpawn(parseEventsArgument('[{"at":0,"from":"ready","signal":"TERM"}]')[0]!)).toBe(false);
  });

  it('are refused elsewhere than signals, storms and races, and with an unknown origin', () => {
    expect(ScheduleSchema.safeParse([{ at: 0, from: 'spawn', kind: 'pause', duration: 100 }]).success).toBe(false);
    expect(() => parseEventsArgument('[{"at":0,"from":"boot","signal":"TERM"}]')).toThrow(/from/);
  });

  it('are recorded relative to readiness: negative before it', () => {
    const played: PlayedEvent = { at: 300, from: 'spawn', kind: 'signal', signal: 'SIGTERM', to: 'main', origin: 'schedule', scheduledMs: 300, deliveredMs: 301, deliveries: [{ signal: 'SIGTERM', atMs: 301 }] };
    const r = rebased(played, 1500);
    expect([r.at, r.scheduledMs, r.deliveredMs, r.deliveries![0]!.atMs]).toEqual([300, -1200, -1199, -1199]);
  });
});

describe('the start-up window in the fault space', () => {
  const space = async (startup?: boolean) => {
    const s = await loadScenario('scenarios/startup-slow-init.yml');
    return { ...s, faults: { ...s.faults, ...(startup === undefined ? {} : { startup }) } };
  };

  it('is on by default for a start-up of a second or more, and as the scenario says otherwise', async () => {
    const s = await space();
    expect(s.faults.startup).toBeUndefined();
    expect(startupWindow(s.faults, STARTUP_SLOW_MS - 1)).toBeUndefined();
    expect(startupWindow(s.faults, 1600)).toBe(1600);
    expect(startupWindow({ ...s.faults, startup: true }, 200)).toBe(200);
    expect(startupWindow({ ...s.faults, startup: false }, 5000)).toBeUndefined();
    expect(startupWindow(s.faults, undefined)).toBeUndefined();
  });

  it('draws events from spawn within the measured start-up only once it is measured and on', async () => {
    const s = await space();
    let measured: number | undefined;
    const arbitrary = scheduleArbitrary(s, () => measured);
    const spawnEvents = (n: number) => fc.sample(arbitrary, { numRuns: n, seed: 7 }).flat().filter(fromSpawn);
    expect(spawnEvents(200)).toEqual([]); // not measured yet
    measured = 400; // too quick to matter
    expect(spawnEvents(200)).toEqual([]);
    measured = 1600;
    const events = spawnEvents(200);
    expect(events.length).toBeGreaterThan(20);
    for (const e of events) {
      expect(e.kind === 'signal' || e.kind === 'race' || e.kind === 'storm').toBe(true);
      expect(e.at).toBeGreaterThanOrEqual(s.faults.step);
      expect(e.at).toBeLessThanOrEqual(1600);
    }
    for (const schedule of fc.sample(arbitrary, 50)) expect(ScheduleSchema.safeParse(schedule).success).toBe(true);
    const off = scheduleArbitrary(await space(false), () => 1600);
    expect(fc.sample(off, { numRuns: 200, seed: 7 }).flat().filter(fromSpawn)).toEqual([]);
  });

  it('is set by the quickest start-up a campaign saw: one slowed by a busy machine does not keep the window', async () => {
    const drawn = async (startups: (n: number) => number) => {
      const schedules: Schedule[] = [];
      const trial = async (schedule: Schedule): Promise<TrialOutcome> => {
        schedules.push(schedule);
        return { kind: 'pass', spawnToReadyMs: startups(schedules.length) };
      };
      await runCampaign(await space(), () => trial, { seed: 3, runs: 80, parallel: 1, confirmRuns: 2 });
      return schedules;
    };
    const slowEveryTime = await drawn(() => 1600);
    expect(slowEveryTime.slice(2).flat().filter(fromSpawn).length).toBeGreaterThan(0);
    // 1.6 s once (the first trial), 300 ms from then on: no event from spawn after the second trial's measurement.
    const slowOnce = await drawn((n) => (n === 1 ? 1600 : 300));
    expect(slowOnce.slice(2).flat().filter(fromSpawn)).toEqual([]);
  });

  it('shrinks towards the end of the start-up and towards events timed from readiness', async () => {
    const s = await space(true);
    const arbitrary = scheduleArbitrary(s, () => 1600);
    // Fails whenever a SIGTERM lands from spawn before 1000 ms: the smallest counterexample is one such signal, as late as can be.
    const result = fc.check(
      fc.property(arbitrary, (schedule) => !schedule.some((e) => fromSpawn(e) && e.at < 1000 && e.kind === 'signal' && e.signal === 'SIGTERM')),
      { seed: 3, numRuns: 500 },
    );
    expect(result.failed).toBe(true);
    const [minimal] = result.counterexample!;
    expect(minimal).toHaveLength(1);
    expect(minimal[0]).toMatchObject({ from: 'spawn', kind: 'signal', signal: 'SIGTERM', to: 'main', at: 1000 - s.faults.step });
    // A property that only fails with a signal at all shrinks to one timed from readiness.
    const any = fc.check(fc.property(arbitrary, (schedule) => schedule.length === 0), { seed: 3, numRuns: 50 });
    expect(fromSpawn(any.counterexample![0][0]!)).toBe(false);
  });
});

describe('oracles over a target that exited during its start-up', () => {
  const record = (status: number, filesLeft: boolean): TrialRecord => ({
    scenario: { name: 'startup', path: 'scenarios/startup.yml' },
    backend: 'process',
    runId: 'r',
    expect: { SIGTERM: { kind: 'exit', exit: [0], within: 3000 } },
    oracles: { handles: { removed_on_exit: ['init.lock'] } } as unknown as TrialRecord['oracles'],
    stopSignal: 'SIGTERM',
    stopGracePeriodMs: 3000,
    target: { id: '1', pid: 1 },
    readyAt: '',
    readyMonotonicMs: 0,
    spawnToReadyMs: 510,
    exitedInStartup: true,
    schedule: [{ at: 500, from: 'spawn', kind: 'signal', signal: 'SIGTERM', to: 'main' }],
    events: [{ at: 500, from: 'spawn', kind: 'signal', signal: 'SIGTERM', to: 'main', origin: 'schedule', scheduledMs: -10, deliveredMs: -9, deliveries: [{ signal: 'SIGTERM', atMs: -9 }] }],
    checks: [],
    exit: { exitCode: status, signal: null, status, atMs: -2, forcedKill: false, lingering: [] },
    samples: [],
    ledger: [],
    files: [{ path: 'init.lock', exists: filesLeft, must: 'removed' }],
    logs: [],
  });

  it('judge the exit status and the files left, with no traffic to lose', () => {
    const bug = judge(record(143, true));
    expect(bug.verdict).toBe('fail');
    const failed = bug.results.filter((r) => r.verdict === 'fail');
    // Ended by SIGTERM's default action before it was ready: what it left behind is the failure, not the status.
    expect(failed.map((r) => `${r.oracle}/${r.kind}`).sort()).toEqual(['handles/files-left']);
    expect(bug.results.find((r) => r.oracle === 'exit-status')!.message).toMatch(/default action \(-9 ms, during start-up\)/);
    expect(judge(record(0, false)).verdict).toBe('pass');
    // Any other status is judged against `expect` as after readiness.
    expect(judge(record(1, false)).results.find((r) => r.oracle === 'exit-status')).toMatchObject({ verdict: 'fail', kind: 'wrong-status', message: expect.stringMatching(/-9 ms, during start-up/) });
  });
});
