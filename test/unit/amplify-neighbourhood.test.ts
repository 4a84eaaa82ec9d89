import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleArbitrary, sortSchedule } from '../../src/fuzz/arbitrary.js';
import { eventMoves, rangeMoves } from '../../src/fuzz/event-moves.js';
import { LASTING_MS, neighbourhoodOf, STORM_COUNT, type Neighbourhood } from '../../src/fuzz/neighbourhood.js';
import { neighbours } from '../../src/fuzz/neighbours.js';
import { describeChanges } from '../../src/fuzz/variant-changes.js';
import type { Variant } from '../../src/fuzz/variant.js';
import type { FaultEvent, Schedule } from '../../src/schedule/event.js';
import { loadScenario } from '../../src/scenario/load.js';

// Amplify's neighbourhood varies what an event holds, within the scenario's fault space: pure checks over schedules
// the fuzzer draws from real scenario files (every stop model of test/fixtures/draws/, and the zoo's Kubernetes bug).

const space = (over: Partial<Neighbourhood> = {}): Neighbourhood => ({ step: 25, horizon: 1500, scalable: false, recipients: ['main'], lasting: LASTING_MS, ...over });
const v = (schedule: Schedule): Variant => ({ schedule, workloadScale: 1 });
const stop = (endpoint_delay?: number): FaultEvent => ({ at: 0, kind: 'stop', ...(endpoint_delay !== undefined ? { endpoint_delay } : {}) });

/** Whether an event holds only what the space allows (times: never before readiness). */
function inside(e: FaultEvent, s: Neighbourhood): boolean {
  if (e.at < 0) return false;
  switch (e.kind) {
    case 'stop':
      return e.endpoint_delay === undefined || (s.endpointLag !== undefined && e.endpoint_delay >= 0 && e.endpoint_delay <= s.endpointLag.maxMs);
    case 'pause':
      return e.duration >= s.lasting.min && e.duration <= s.lasting.max;
    case 'partition':
      return e.duration >= s.lasting.min && e.duration <= s.lasting.max && ['both', 'in', 'out'].includes(e.direction) && ['drop', 'reject'].includes(e.mode);
    case 'storm':
      return e.count >= STORM_COUNT.min && e.count <= STORM_COUNT.max && e.spacing >= 1 && (e.count - 1) * e.spacing <= s.horizon && s.recipients.includes(e.to);
    case 'race':
    case 'signal':
      return s.recipients.includes(e.to);
    case 'unready':
    case 'rollout':
      return false; // a rollout's own events: amplify never makes one
  }
}

/** The neighbours that differ from `original` in event `i` alone, and there not in its time. */
const parameterMovesOf = (original: Schedule, ns: Variant[], i: number) =>
  ns.filter(
    (n) =>
      n.workloadScale === 1 &&
      n.cpus === undefined &&
      n.schedule.length === original.length &&
      n.schedule.every((e, k) => (k === i ? e.kind === original[i]!.kind && e.at === original[i]!.at && JSON.stringify(e) !== JSON.stringify(original[i]) : e === original[k])),
  );

describe('the neighbourhood a scenario allows', () => {
  it('takes the endpoint lag range from the stop model’s fuzz hints, and what it plays when the event holds none from its plan', async () => {
    const k8s = neighbourhoodOf(await loadScenario('scenarios/k8s-endpoint-lag.yml'));
    expect(k8s).toMatchObject({ step: 25, horizon: 1500, scalable: true, recipients: ['main'], endpointLag: { maxMs: 1000, modelMs: 1000 } });
    // docker stop draws no stop event, readiness-driven endpoints no lag: nothing to vary there
    expect(neighbourhoodOf(await loadScenario('scenarios/double-close.yml')).endpointLag).toBeUndefined();
    expect(neighbourhoodOf(await loadScenario('test/fixtures/draws/kubernetes-readiness.yml')).endpointLag).toBeUndefined();
  });
});

describe('what an event holds, one move away', () => {
  it('moves a bounded value to its half, its double and the far end of its range, on the grid', () => {
    expect(rangeMoves(275, { min: 0, max: 2000, grid: 25 })).toEqual([150, 550, 2000]);
    expect(rangeMoves(0, { min: 0, max: 1000, grid: 25 })).toEqual([25, 1000]);
    expect(rangeMoves(2000, { min: 0, max: 2000, grid: 25 })).toEqual([1000]);
    expect(rangeMoves(50, LASTING_MS)).toEqual([100, 2000]); // 25 ms is below the shortest pause drawn
  });

  it('lengthens a stop event’s endpoint lag up to the model’s, and shortens the one it plays when the event holds none', () => {
    const lag = { endpointLag: { maxMs: 2000, modelMs: 2000 } };
    expect(eventMoves(stop(275), space(lag))).toEqual([stop(150), stop(550), stop(2000)]);
    expect(eventMoves(stop(), space(lag))).toEqual([stop(1000)]);
    expect(eventMoves(stop(275), space())).toEqual([]); // the model has no lag to vary
  });

  it('varies a partition’s length, direction and mode, a pause’s length, and sends a signal to the other recipients allowed', () => {
    const cut: FaultEvent = { at: 100, kind: 'partition', direction: 'both', mode: 'drop', duration: 300 };
    expect(eventMoves(cut, space())).toEqual([
      { ...cut, duration: 150 },
      { ...cut, duration: 600 },
      { ...cut, duration: 2000 },
      { ...cut, direction: 'in' },
      { ...cut, direction: 'out' },
      { ...cut, mode: 'reject' },
    ]);
    const signal: FaultEvent = { at: 0, kind: 'signal', signal: 'SIGTERM', to: 'main' };
    expect(eventMoves(signal, space({ recipients: ['main', 'group', 'all'] }))).toEqual([{ ...signal, to: 'group' }, { ...signal, to: 'all' }]);
    expect(eventMoves(signal, space())).toEqual([]);
    expect(eventMoves({ ...signal, to: 'db' }, space({ recipients: ['main', 'group'] }))).toEqual([]); // a service's recipient is not drawn
    const race: FaultEvent = { at: 0, kind: 'race', signals: ['SIGTERM', 'SIGINT'], to: 'main' };
    expect(eventMoves(race, space())).toEqual([{ ...race, signals: ['SIGINT', 'SIGTERM'] }]);
  });

  it('moves a signal timed from a request by 1 and 2 ms, to the request before and after, and to the other phase, and names it', () => {
    const timed: FaultEvent = { at: 0, kind: 'signal', signal: 'SIGTERM', to: 'main', after: { request: 1, path: '/transfer', phase: 'sent', within: 3000 } };
    expect(eventMoves(timed, space())).toEqual([
      { ...timed, at: 1 },
      { ...timed, at: 2 },
      { ...timed, after: { request: 2, path: '/transfer', phase: 'sent', within: 3000 } },
      { ...timed, after: { request: 1, path: '/transfer', phase: 'response', within: 3000 } },
    ]);
    const later = { ...timed, at: 4, after: { request: 3, path: '/transfer', phase: 'response' as const, within: 3000 } };
    expect(describeChanges(v([timed]), v([later]))).toEqual([
      'SIGTERM→main: timed from request 1 → 3',
      'SIGTERM→main: phase sent → response',
      'SIGTERM→main at +4 ms instead of +0 ms (later by 4 ms)',
    ]);
  });

  it('moves a signal timed from a write or a line by 1 and 2 ms and to the occurrence before and after, and names it', () => {
    const timed: FaultEvent = { at: 1, kind: 'signal', signal: 'SIGTERM', to: 'main', after: { file: 'snapshot', nth: 1, within: 3000 } };
    expect(eventMoves(timed, space())).toEqual([{ ...timed, at: 0 }, { ...timed, at: 2 }, { ...timed, at: 3 }, { ...timed, after: { file: 'snapshot', nth: 2, within: 3000 } }]);
    const line: FaultEvent = { at: 0, kind: 'signal', signal: 'SIGTERM', to: 'main', after: { log: 'reopening logs', nth: 2, within: 3000 } };
    expect(eventMoves(line, space()).map((e) => [e.at, 'after' in e && e.after && 'nth' in e.after ? e.after.nth : undefined])).toEqual([[1, 2], [2, 2], [0, 1], [0, 3]]);
    expect(describeChanges(v([timed]), v([{ ...timed, after: { file: 'snapshot', nth: 2, within: 3000 } }]))).toEqual(['SIGTERM→main: timed from write 1 → 2']);
  });

  it('spreads a signal timed from a write over the few ms around it, within max_events, from the same anchor', () => {
    const timed: FaultEvent = { at: 5, kind: 'signal', signal: 'SIGTERM', to: 'main', after: { file: 'transfers.log', nth: 3, within: 3000 } };
    const spreads = (s: Neighbourhood, schedule: Schedule) => neighbours(v(schedule), s).filter((n) => n.schedule.length > schedule.length).map((n) => n.schedule.map((e) => e.at));
    expect(spreads(space({ maxEvents: 3 }), [timed])).toEqual([
      [5, 4, 6],
      [5, 3, 7],
      // later: one 2 ms before, then two a window's width (3 ms) apart, 2–4 ms after it (the first one's handler delays the window)
      [3, 7, 10],
      [3, 8, 11],
      [3, 9, 12],
    ]);
    // every copy keeps the anchor, the signal and the recipient
    for (const n of neighbours(v([timed]), space({ maxEvents: 3 })).filter((n) => n.schedule.length === 3)) {
      expect(n.schedule.map(({ at: _at, ...rest }) => rest)).toEqual([0, 1, 2].map(() => ({ kind: 'signal', signal: 'SIGTERM', to: 'main', after: timed.after })));
    }
    expect(spreads(space({ maxEvents: 3 }), [{ ...timed, at: 0 }])).toEqual([
      [0, 1, 2],
      [0, 2, 4],
      [0, 2, 5],
      [0, 3, 6],
      [0, 4, 7],
    ]);
    // no room for two more events, no anchor, or no max_events known: no spread
    expect(spreads(space({ maxEvents: 2 }), [timed])).toEqual([]);
    expect(spreads(space({ maxEvents: 3 }), [{ at: 5, kind: 'signal', signal: 'SIGTERM', to: 'main' }])).toEqual([]);
    expect(spreads(space(), [timed])).toEqual([]);
  });

  it('keeps a storm within the horizon', () => {
    const storm: FaultEvent = { at: 0, kind: 'storm', signals: ['SIGHUP'], count: 20, spacing: 25, to: 'main' };
    const moved = eventMoves(storm, space({ horizon: 1000 }));
    expect(moved).toContainEqual({ ...storm, count: 40 }); // 39 × 25 = 975 ms
    expect(moved).toContainEqual({ ...storm, spacing: 50 }); // 19 × 50 = 950 ms
    expect(moved.every((e) => e.kind === 'storm' && (e.count - 1) * e.spacing <= 1000)).toBe(true);
  });

  it('names each change with its before and after', () => {
    const lag = { endpointLag: { maxMs: 2000, modelMs: 2000 } };
    expect(describeChanges(v([stop(275)]), v([stop(1800)]), lag)).toEqual(['stop: endpoints lag 275 → 1800 ms']);
    expect(describeChanges(v([stop()]), v([stop(500)]), lag)).toEqual(["stop: endpoints lag the model's 2000 → 500 ms"]);
    const cut: FaultEvent = { at: 100, kind: 'partition', direction: 'both', mode: 'drop', duration: 300 };
    expect(describeChanges(v([cut]), v([{ ...cut, duration: 600, at: 125 }]))).toEqual([
      'partition: length 300 → 600 ms',
      'partition at +125 ms instead of +100 ms (later by 25 ms)',
    ]);
    expect(describeChanges(v([{ at: 0, kind: 'signal', signal: 'SIGTERM', to: 'main' }]), v([{ at: 0, kind: 'signal', signal: 'SIGTERM', to: 'group' }]))).toEqual([
      'SIGTERM→main: recipient main → group',
    ]);
  });
});

describe('the variants proposed around drawn schedules', () => {
  const DIR = resolve('test/fixtures/draws');
  const files = [...readdirSync(DIR).filter((f) => f.endsWith('.yml')).map((f) => join(DIR, f)), 'scenarios/k8s-endpoint-lag.yml'];

  it.each(files)('%s: stay inside the fault space and include every parameter move', async (file) => {
    const scenario = await loadScenario(file);
    const s = neighbourhoodOf(scenario);
    fc.assert(
      fc.property(scheduleArbitrary(scenario), (drawn) => {
        const schedule = sortSchedule(drawn);
        // what the fuzzer draws is inside the bounds amplify keeps to (LASTING_MS is the arbitrary's range)
        expect(schedule.filter((e) => !inside(e, s))).toEqual([]);
        const ns = neighbours(v(schedule), s);
        for (const n of ns) expect(n.schedule.filter((e) => !inside(e, s))).toEqual([]);
        // a spread adds two events only where max_events leaves room (opening a race into two signals adds one)
        for (const n of ns) expect(n.schedule.length).toBeLessThanOrEqual(Math.max(schedule.length + 1, scenario.faults.maxEvents));
        for (const [i, e] of schedule.entries()) {
          const moves = eventMoves(e, s);
          expect(parameterMovesOf(schedule, ns, i).map((n) => n.schedule[i])).toEqual(expect.arrayContaining(moves.filter((m) => JSON.stringify(m) !== JSON.stringify(e))));
          // every event has a parameter to move but a stop without a lag range and a signal with one recipient allowed
          const movable = e.kind === 'stop' ? s.endpointLag !== undefined : e.kind !== 'signal' || s.recipients.length > 1;
          if (movable) expect(moves.length, JSON.stringify(e)).toBeGreaterThan(0);
        }
      }),
      { seed: 26, numRuns: 60 },
    );
  });
});
