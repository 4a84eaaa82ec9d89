import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { latestActivity, logKind, rhythmOf } from '../../src/fuzz/activity.js';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { worstCaseTrialMs } from '../../src/fuzz/budget.js';
import { runCampaign } from '../../src/fuzz/campaign.js';
import type { TrialOutcome } from '../../src/fuzz/trial-fn.js';
import { FINE_PARTS, initialTimeSpace, NEAR_STEPS, SCOUT_AFTER, timeSpaceOf, type TimeSpace } from '../../src/fuzz/time-space.js';
import { TimeWatch } from '../../src/fuzz/time-watch.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { Schedule } from '../../src/schedule/event.js';
import type { PlayedEvent } from '../../src/schedule/played.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';
import type { TrialRecord } from '../../src/trial/record.js';
import { writtenIn } from '../../src/trial/sampler.js';

// The adaptive horizon: what a trial shows of its target's life (pure, over a record), the time space that follows
// (pure, over what was seen), the campaign's watch (order of judging, not of trials ending), and the draws.

const log = (atMs: number, text: string) => ({ atMs, stream: 'stdout' as const, text });

function record(extra: Partial<TrialRecord> = {}): TrialRecord {
  return {
    scenario: { name: 'demo', path: '/scenarios/demo.yml' },
    backend: 'process',
    runId: 'r1',
    expect: { SIGTERM: { kind: 'exit', exit: [0, 143], within: 1000 }, SIGHUP: { kind: 'alive', settle: 500 } },
    oracles: { lost_requests: { no_refusals_for: 0 }, handles: { fd_slack: 8, allow_zombies: false, removed_on_exit: [] } },
    stopSignal: 'SIGTERM',
    stopGracePeriodMs: 3000,
    target: { id: '4242', pid: 4242 },
    readyAt: '2026-12-06T00:00:00.000Z',
    readyMonotonicMs: 1000,
    spawnToReadyMs: 20,
    schedule: [],
    events: [],
    checks: [],
    exit: { exitCode: 0, signal: null, status: 0, atMs: 3000, forcedKill: false, lingering: [] },
    samples: [],
    ledger: [],
    files: [],
    logs: [],
    ...extra,
  };
}

const sigterm = (atMs: number, to = 'main'): PlayedEvent => ({
  at: atMs,
  kind: 'signal',
  signal: 'SIGTERM',
  to,
  origin: 'schedule',
  scheduledMs: atMs,
  deliveredMs: atMs,
  deliveries: [{ signal: 'SIGTERM', atMs }],
});

const request = (id: number, sentMs: number, endMs: number, outcome: LedgerEntry['outcome'] = 'ok'): LedgerEntry => ({
  id,
  kind: 'request',
  method: 'GET',
  path: '/x',
  connection: 'fresh',
  reused: false,
  sentMs,
  endMs,
  outcome,
  bytes: 2,
});

describe('the activity a trial shows', () => {
  it('is the latest first time of a kind of log line, counters blurred, start-up lines not new', () => {
    const logs = [log(-50, 'listening on 8080'), log(10, 'listening on 8080'), log(100, 'tick 1'), log(800, 'tick 2'), log(2000, 'lease 0xfe12 renewed'), log(2600, 'tick 3')];
    expect(latestActivity(record({ logs }))).toEqual({ atMs: 2000, what: 'log "lease # renewed"' });
    expect(logKind('worker 3 flushed 1204 rows in 2.5ms')).toBe(logKind('worker 12 flushed 9 rows in 0.1ms'));
  });

  it('ends where the schedule first touched the target, or it began to stop, or exited', () => {
    const logs = [log(100, 'ready'), log(2000, 'lease renewed')];
    expect(latestActivity(record({ logs, events: [sigterm(1500)] }))).toEqual({ atMs: 100, what: 'log "ready"' });
    // a signal to a dependency leaves the target alone
    expect(latestActivity(record({ logs, events: [sigterm(1500, 'db')] }))?.atMs).toBe(2000);
    const stop = { model: 'docker', steps: [{ step: 'begin' as const, atMs: 1200 }] } as unknown as TrialRecord['stop'];
    expect(latestActivity(record({ logs, stop }))?.atMs).toBe(100);
    expect(latestActivity(record({ logs, exit: { ...record().exit, atMs: 1900 } }))?.atMs).toBe(100);
    expect(latestActivity(record({ logs, exitedInStartup: true }))).toBeUndefined();
  });

  it('reads new processes, new files held open, and request paths that failed or stalled', () => {
    const proc = (comm: string, fdTargets?: Record<string, number>) => ({ pid: 1, ppid: 0, pgid: 1, sid: 1, state: 'S', comm, fds: 4, startTime: 1, ...(fdTargets ? { fdTargets } : {}) });
    const samples = [
      { atMs: 0, processes: [proc('server', { '/data/wal.0': 1, 'socket:[1]': 1 })] },
      { atMs: 100, processes: [proc('server', { 'socket:[2]': 1 })] },
      { atMs: 1700, processes: [proc('server', { '/data/wal.1': 1 })] },
      { atMs: 1800, processes: [proc('server'), proc('flusher')] },
    ];
    expect(latestActivity(record({ samples }))).toEqual({ atMs: 1800, what: 'process flusher' });
    const ledger = [request(1, 0, 10), request(2, 20, 30), request(3, 40, 50), request(4, 1000, 1010, 'reset'), request(5, 2100, 2400)];
    expect(latestActivity(record({ ledger }))).toEqual({ atMs: 2150, what: 'request /x stalled' });
  });

  it('reads files of the data directory written after readiness, dated by their mtime, not by the sample', () => {
    const samples = [
      { atMs: 0, processes: [], written: { 'access.log': -40 } },
      { atMs: 100, processes: [], written: { 'access.log': 95 } },
      { atMs: 2000, processes: [], written: { 'access.log': 1990, snapshot: 1903 } },
      { atMs: 2100, processes: [] }, // as before
      { atMs: 4000, processes: [], written: { 'access.log': 3990, snapshot: 3902 } },
    ];
    // access.log was written before readiness: not new; the snapshot first at +1903 ms, when it was written
    expect(latestActivity(record({ samples }))).toEqual({ atMs: 1903, what: 'file snapshot written' });
    // a file held open in each trial's own data directory is one kind across trials
    const held = (dir: string) => record({ samples: [{ atMs: 300, processes: [{ pid: 1, ppid: 0, pgid: 1, sid: 1, state: 'S', comm: 'node', fds: 4, startTime: 1, fdTargets: { [`${dir}/orders.log`]: 1 } }] }] });
    expect(latestActivity(held('/tmp/sigstorm-data-20261206T122604Z-a8c94f-35'))).toEqual(latestActivity(held('/tmp/sigstorm-data-20261206T124419Z-e7fc80-374')));
    // numbered files are one kind
    const segments = [{ atMs: 500, processes: [], written: { 'segment-1': 420 } }, { atMs: 900, processes: [], written: { 'segment-1': 420, 'segment-2': 880 } }];
    expect(latestActivity(record({ samples: segments }))).toEqual({ atMs: 420, what: 'file segment-# written' });
  });

  it('dates the files of a data directory by their mtime, on the sample\'s clock (sampler.ts)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'written-'));
    try {
      writeFileSync(join(dir, 'snapshot'), 'x');
      const twoSecondsAgo = (Date.now() - 2000) / 1000;
      utimesSync(join(dir, 'snapshot'), twoSecondsAgo, twoSecondsAgo);
      mkdirSync(join(dir, 'sub')); // directories are not files written
      const written = writtenIn(dir, 5000);
      expect(Object.keys(written)).toEqual(['snapshot']);
      expect(written.snapshot).toBeLessThanOrEqual(3001);
      expect(written.snapshot).toBeGreaterThan(2000); // the sample's clock moved on by the time it was read, at most
      expect(writtenIn(join(dir, 'gone'), 5000)).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores log lines when the record may have dropped the first ones', () => {
    const logs = Array.from({ length: 1000 }, (_, i) => log(i * 3, i === 999 ? 'late news' : 'same'));
    expect(latestActivity(record({ logs }))).toBeUndefined();
  });
});

describe('the time space after what was seen', () => {
  const space = { horizon: 1500, horizonMax: 10_000, step: 25 };

  it('starts as the fault space drew it, and scouts twice as far once SCOUT_AFTER schedules were judged', () => {
    expect(timeSpaceOf(space, { judged: 0 })).toEqual(initialTimeSpace(space));
    expect(timeSpaceOf(space, { judged: SCOUT_AFTER - 1 })).toEqual({ horizon: 1500, scout: 1500, near: [], fine: 25 });
    expect(timeSpaceOf(space, { judged: SCOUT_AFTER })).toEqual({ horizon: 1500, scout: 3000, near: [], fine: 25, requestAnchors: true });
  });

  it('grows to cover the latest activity plus 8 steps, on the step grid, within horizon_max', () => {
    expect(timeSpaceOf(space, { judged: 3, latest: { atMs: 2010, what: 'x' } })).toEqual({ horizon: 2225, scout: 2225, near: [], fine: 25 });
    expect(timeSpaceOf(space, { judged: 30, latest: { atMs: 2010, what: 'x' } })).toEqual({ horizon: 2225, scout: 4450, near: [], fine: 25, requestAnchors: true });
    expect(timeSpaceOf(space, { judged: 30, latest: { atMs: 9990, what: 'x' } })).toEqual({ horizon: 10_000, scout: 10_000, near: [], fine: 25, requestAnchors: true });
    expect(timeSpaceOf(space, { judged: 30, latest: { atMs: 900, what: 'x' } })).toEqual({ horizon: 1500, scout: 3000, near: [], fine: 25, requestAnchors: true });
    // horizon_max = horizon: it never grows, nor scouts
    expect(timeSpaceOf({ ...space, horizonMax: 1500 }, { judged: 30, latest: { atMs: 2010, what: 'x' } })).toEqual({ horizon: 1500, scout: 1500, near: [], fine: 25, requestAnchors: true });
  });

  it('draws around the instants of the latest 4 kinds of the target\'s own activity, only once scouting', () => {
    const rhythm = [700, 1903.4, 150, 2500, 1200, 1903].map((atMs, i) => ({ atMs, what: `kind ${'abcdef'[i]}` }));
    expect(timeSpaceOf(space, { judged: SCOUT_AFTER - 1, rhythm }).activity).toBeUndefined();
    expect(timeSpaceOf(space, { judged: SCOUT_AFTER, rhythm }).activity).toEqual([2500, 1903, 1200]);
  });

  it('reads the rhythm from log lines, processes and files, not from requests that stalled on a busy machine', () => {
    const samples = [{ atMs: 0, processes: [], written: {} }, { atMs: 2000, processes: [], written: { snapshot: 1995 } }];
    const ledger = [request(1, 0, 10), request(2, 20, 30), request(3, 40, 50), request(5, 2100, 2400)];
    const r = record({ samples, ledger, logs: [log(-5, 'listening'), log(700, 'reopening logs'), log(1400, 'reopening logs')] });
    expect(latestActivity(r)).toEqual({ atMs: 2150, what: 'request /x stalled' });
    expect(rhythmOf(r)).toEqual([{ atMs: 700, what: 'log "reopening logs"' }, { atMs: 1995, what: 'file snapshot written' }]);
  });

  it('suspects a boundary at each failing schedule\'s times (from readiness), on a grid of a fifth of the step', () => {
    const failing: Schedule[] = [[{ at: 700, kind: 'signal', signal: 'SIGTERM', to: 'main' }, { at: 300, from: 'spawn', kind: 'signal', signal: 'SIGINT', to: 'main' }]];
    expect(timeSpaceOf(space, { judged: 3, failing })).toEqual({ horizon: 1500, scout: 1500, near: [700], fine: 25 / FINE_PARTS });
  });

  it('moves in the order schedules are judged, whatever order their trials ended in', () => {
    const at = (ms: number): Schedule => [{ at: ms, kind: 'signal', signal: 'SIGTERM', to: 'main' }];
    const trial = (ms: number) => ({ kind: 'pass' as const, record: record({ logs: [log(ms, `news ${ms > 2000 ? 'late' : 'early'}`)] }) });
    const watch = new TimeWatch(space);
    watch.trialEnded(at(2500), trial(2400)); // run ahead, ended first
    watch.trialEnded(at(100), trial(50));
    expect(watch.times.horizon).toBe(1500); // nothing judged yet
    watch.judged(at(100));
    expect(watch.times.horizon).toBe(1500);
    watch.judged(at(2500));
    expect(watch.times).toEqual({ horizon: 2600, scout: 2600, near: [], fine: 25 });
    expect(watch.summary()).toEqual({ initialMs: 1500, finalMs: 2600, maxMs: 10_000, scoutMs: 2600, grewFor: { atMs: 2400, what: 'log "news late"' } });
  });
});

describe('the draws', () => {
  const file = join(resolve('test/fixtures/draws'), 'docker-default.yml');

  it('are the pinned ones while the time space is the fault space own', async () => {
    const scenario = await loadScenario(file);
    const initial = initialTimeSpace(scenario.faults);
    for (const seed of [1, 18]) {
      expect(fc.sample(scheduleArbitrary(scenario, undefined, () => initial), { seed, numRuns: 30 })).toEqual(fc.sample(scheduleArbitrary(scenario), { seed, numRuns: 30 }));
    }
  });

  it('reach past 1.5 s once the horizon grew, and scout up to twice it', async () => {
    const scenario = await loadScenario(file);
    const latest = (times: TimeSpace) =>
      fc.sample(scheduleArbitrary(scenario, undefined, () => times), { seed: 3, numRuns: 300 }).flat().map((e) => e.at);
    const grown = latest({ horizon: 3000, scout: 3000, near: [], fine: 25 });
    expect(Math.max(...grown)).toBeGreaterThan(1500);
    expect(Math.max(...grown)).toBeLessThanOrEqual(3000);
    const scouting = latest({ horizon: 1500, scout: 3000, near: [], fine: 25 });
    const beyond = scouting.filter((ms) => ms > 1500).length;
    expect(beyond).toBeGreaterThan(0);
    expect(Math.max(...scouting)).toBeLessThanOrEqual(3000);
    expect(beyond / scouting.length).toBeLessThan(0.2); // most times stay within the horizon
  });

  it('near a failure, fall on a finer grid within 4 steps of it, and shrink to the coarsest, then earliest, that fails', async () => {
    const scenario = await loadScenario(file);
    const times: TimeSpace = { horizon: 1500, scout: 1500, near: [1010], fine: 5 };
    const schedules = fc.sample(scheduleArbitrary(scenario, undefined, () => times), { seed: 5, numRuns: 400 });
    const fine = schedules.flatMap((s) => s.filter((e) => e.at % 25 !== 0).map((e) => ({ at: e.at, s })));
    expect(fine.length).toBeGreaterThan(0);
    for (const { at, s } of fine) {
      expect(at % 5).toBe(0);
      // near the failure, or a follow-up a few steps after an event that was
      const followUp = s.some((e) => e.at < at && (at - e.at) % 25 === 0 && at - e.at <= 6 * 25);
      if (!followUp) expect(at).toBeGreaterThanOrEqual(1000 - NEAR_STEPS * 25 - 10);
      if (!followUp) expect(at).toBeLessThanOrEqual(1000 + NEAR_STEPS * 25 + 10);
    }
    // A 10 ms window between two grid points (1003–1013 ms): found on the fine grid, shrunk to its earliest fine time.
    const inWindow = (s: Schedule) => s.some((e) => e.kind !== 'stop' && e.at >= 1003 && e.at <= 1013);
    const result = fc.check(fc.property(scheduleArbitrary(scenario, undefined, () => times), (s) => !inWindow(s)), { seed: 5, numRuns: 2000 });
    expect(result.failed).toBe(true);
    const times_ = (r: typeof result) => r.counterexample![0].map((e) => e.at).sort((a, b) => a - b);
    expect(times_(result).filter((ms) => ms > 0)).toEqual([1005]); // (any other event shrunk to readiness)
    // A window holding a grid point (990–1010 ms) shrinks to that coarse time, its middle, not to its early edge.
    const wide = fc.check(fc.property(scheduleArbitrary(scenario, undefined, () => times), (s) => !s.some((e) => e.at >= 990 && e.at <= 1010)), { seed: 5, numRuns: 2000 });
    expect(times_(wide).filter((ms) => ms > 0)).toEqual([1000]);
  });

  it('around the latest activity, fall to the ms within a step of it: a 2 ms window between grid points is met there only', async () => {
    const scenario = await loadScenario(file);
    const grown: TimeSpace = { horizon: 2200, scout: 4400, near: [], fine: 25 };
    const inWindow = (s: Schedule) => s.some((e) => e.kind !== 'stop' && e.at >= 1904 && e.at <= 1905);
    const check = (times: TimeSpace) => fc.check(fc.property(scheduleArbitrary(scenario, undefined, () => times), (s) => !inWindow(s)), { seed: 5, numRuns: 3000 });
    expect(check(grown).failed).toBe(false); // the 25 ms grid never meets it
    const around = { ...grown, activity: [1903] };
    expect(check(around).failed).toBe(true);
    const drawn = fc.sample(scheduleArbitrary(scenario, undefined, () => around), { seed: 5, numRuns: 400 }).flat().map((e) => e.at);
    expect(drawn.some((ms) => ms % 5 !== 0 && Math.abs(ms - 1903) <= 25)).toBe(true);
  });

  it('bound a trial by the furthest time drawn', async () => {
    const scenario = await loadScenario(file);
    expect(worstCaseTrialMs(scenario, 4000) - worstCaseTrialMs(scenario)).toBe(4000 - scenario.faults.horizon);
  });
});

describe('a campaign', () => {
  // A stand-in target that logs `lease renewed` 2 s after readiness and dies at the first signal: only a schedule
  // whose every event is later than 2 s can see the line. Its records are built from the schedule, so the same draws
  // give the same observations at any width.
  const trialOf = (asked: Schedule[]) => async (schedule: Schedule): Promise<TrialOutcome> => {
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    asked.push(schedule);
    const first = Math.min(...schedule.filter((e) => e.kind === 'signal').map((e) => e.at));
    const events = schedule.map((e) => ({ ...e, origin: 'schedule' as const, scheduledMs: e.at, deliveredMs: e.at }));
    const logs = [log(5, 'ready'), log(2000, 'lease renewed')];
    return { kind: 'pass', record: record({ schedule, events, logs, exit: { ...record().exit, atMs: Number.isFinite(first) ? first + 5 : 4000 } }) };
  };

  it('grows its horizon past 1.5 s from what the trials show, and judges the same at any width', async () => {
    const scenario = await loadScenario('scenarios/hup-unhandled.yml');
    const campaign = async (parallel: number) => {
      const asked: Schedule[] = [];
      const { summary } = await runCampaign(scenario, () => trialOf(asked), { parallel, seed: 4, runs: 60, budgetMs: 120_000 });
      return { asked: [...new Set(asked.map((s) => JSON.stringify(s)))].sort(), horizon: summary.horizon, worst: summary.worstCaseTrialMs };
    };
    const one = await campaign(1);
    expect(one.horizon).toEqual({ initialMs: 1500, finalMs: 2200, maxMs: 10_000, scoutMs: 4400, grewFor: { atMs: 2000, what: 'log "lease renewed"' } });
    expect(one.worst).toBe(worstCaseTrialMs(scenario, 4400));
    const late = one.asked.map((s) => JSON.parse(s) as Schedule).filter((s) => s.some((e) => e.at > 1500));
    expect(late.length).toBeGreaterThan(0);
    // Run ahead, schedules drawn before the horizon grew may be run and unused: the ones judged are the same.
    const three = await campaign(3);
    expect(three.horizon).toEqual(one.horizon);
    expect(three.asked).toEqual(expect.arrayContaining(one.asked));
    expect(three.asked.length - one.asked.length).toBeLessThanOrEqual(6);
  });

  it('draws on a finer grid around a failure that did not reproduce, and goes on exploring', async () => {
    const scenario = await loadScenario('scenarios/hup-unhandled.yml');
    const asked: Schedule[] = [];
    let failedOnce: Schedule | undefined;
    const failure = { oracle: 'exit-status', verdict: 'fail' as const, kind: 'wrong-status', message: 'exited 1' };
    const trial = async (schedule: Schedule): Promise<TrialOutcome> => {
      asked.push(schedule);
      if (!failedOnce && schedule.some((e) => e.at >= 1000 && e.at <= 1100)) {
        failedOnce = schedule; // once only: its estimate runs pass, an unconfirmed finding
        return { kind: 'fail', signatures: ['exit-status/wrong-status'], failures: [failure] };
      }
      return { kind: 'pass' };
    };
    const { summary } = await runCampaign(scenario, () => trial, { parallel: 1, seed: 4, runs: 80, budgetMs: 120_000 });
    expect(summary.verdict).toBe('pass');
    expect(summary.findings.map((f) => f.confirmed)).toEqual([false]);
    const centres = failedOnce!.map((e) => e.at);
    const after = asked.slice(asked.indexOf(failedOnce!) + 1);
    const fine = after.flatMap((s) => s.map((e) => e.at)).filter((ms) => ms % 25 !== 0);
    expect(fine.length).toBeGreaterThan(0);
    expect(fine.some((ms) => centres.some((c) => Math.abs(ms - c) <= NEAR_STEPS * 25 + 10))).toBe(true);
    expect(asked.slice(0, asked.indexOf(failedOnce!)).flat().every((e) => e.at % 25 === 0)).toBe(true);
  });
});
