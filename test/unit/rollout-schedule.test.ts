import { describe, expect, it } from 'vitest';
import type { RolloutPlan } from '../../src/rollout/plan.js';
import { replicaNames, rolloutSchedule } from '../../src/rollout/schedule.js';
import { describeEvent, ScheduleSchema } from '../../src/schedule/event.js';
import { failedByFaults, heldByFaults, outBySchedule } from '../../src/oracles/rollout-faults.js';
import type { PlayedEvent } from '../../src/schedule/played.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';

const plan = (over: Partial<RolloutPlan> = {}): RolloutPlan => ({
  strategy: 'rolling',
  replicas: 3,
  maxSurge: 1,
  maxUnavailable: 0,
  minReadyMs: 0,
  readiness: { periodMs: 200, failureThreshold: 2 },
  endpointLag: { minMs: 100, maxMs: 1000 },
  atMs: 500,
  balancer: 'embedded',
  ...over,
});
const parse = (events: unknown[]) => ScheduleSchema.parse(events);

describe("a rollout's schedule", () => {
  it('sorts the faults by replica and the moment each is timed from; stops give the timing', () => {
    const s = rolloutSchedule(
      plan(),
      parse([
        { at: 0, kind: 'stop', endpoint_delay: 200 },
        { at: 300, signal: 'SIGTERM', replica: 'v1-1', from: 'stop' },
        { at: 0, kind: 'pause', duration: 500, replica: 'v2-1', from: 'ready' },
        { at: 0, kind: 'unready', duration: 600, replica: 'v2-2', from: 'ready' },
      ]),
    );
    expect(s.problems).toEqual([]);
    expect(s.atMs).toBe(0);
    expect(s.stops).toEqual([{ notBeforeMs: 0, lagMs: 200 }]);
    expect(s.faults.get('v1-1')).toMatchObject([{ kind: 'signal', from: 'stop', at: 300 }]);
    expect(s.faults.get('v2-1')).toMatchObject([{ kind: 'pause', from: 'ready' }]);
    expect(s.unready.get('v2-2')).toMatchObject([{ duration: 600 }]);
    expect(s.plan.replicas).toBe(3);
  });

  it('a rollout event sets the size and the beginning; stops beyond the old replicas are dropped', () => {
    const s = rolloutSchedule(plan(), parse([{ at: 75, kind: 'rollout', replicas: 1 }, { at: 75, kind: 'stop' }, { at: 100, kind: 'stop' }]));
    expect(s.plan.replicas).toBe(1);
    expect(s.atMs).toBe(75);
    expect(s.stops).toHaveLength(1);
    expect(replicaNames(1)).toEqual(['v1-1', 'v2-1']);
  });

  it('refuses, naming the event, what a rollout cannot play', () => {
    const s = rolloutSchedule(
      plan({ replicas: 2 }),
      parse([
        { at: 0, signal: 'SIGTERM' },
        { at: 0, signal: 'SIGTERM', replica: 'v1-3' },
        { at: 0, kind: 'partition', duration: 100, replica: 'v1-1', between: ['a', 'b'] },
        { at: 0, kind: 'rollout', replicas: 2 },
        { at: 0, kind: 'rollout', replicas: 1 },
      ]),
    );
    expect(s.problems.map((p) => [p.index, p.key ?? null])).toEqual([
      [0, null],
      [1, 'replica'],
      [2, 'between'],
      [4, null],
    ]);
  });

  it('the schema refuses `from: stop` without a replica, and `after` beside one', () => {
    expect(() => parse([{ at: 0, signal: 'SIGTERM', from: 'stop' }])).toThrow(/replica/);
    expect(() => parse([{ at: 0, signal: 'SIGTERM', replica: 'v1-1', after: { log: 'x' } }])).toThrow(/`from`/);
    expect(() => parse([{ at: 0, signal: 'SIGTERM', replica: 'w1' }])).toThrow(/v1-1/);
  });

  it('describes events aimed at a replica by the replica and the moment', () => {
    const [a, b, c] = parse([
      { at: 300, signal: 'SIGTERM', replica: 'v1-1', from: 'stop' },
      { at: 0, kind: 'unready', duration: 600, replica: 'v2-2', from: 'ready' },
      { at: 0, kind: 'rollout', replicas: 1 },
    ]);
    expect([a, b, c].map((e) => describeEvent(e!))).toEqual(['v1-1 stop+300 ms SIGTERM→main', 'v2-2 ready+0 ms unready 600 ms', '+0 ms rollout of 1 replica']);
  });
});

describe("the schedule's faults in a rollout's judgement", () => {
  const played = (e: Partial<PlayedEvent>): PlayedEvent => ({ origin: 'schedule', scheduledMs: 100, at: 100, ...e }) as PlayedEvent;
  const request = (id: number, sentMs: number, endMs: number): LedgerEntry => ({ id, sentMs, endMs, outcome: 'timeout' }) as LedgerEntry;

  it('a request failed on a replica the schedule froze is its doing; on another replica it is not', () => {
    const events = [played({ kind: 'pause', duration: 500, replica: 'v2-1', deliveredMs: 102, healedMs: 602 })];
    const failed = [request(1, 300, 900), request(2, 300, 900), request(3, 700, 900)];
    const excused = failedByFaults(failed, { routedTo: { 1: 'v2-1', 2: 'v1-1', 3: 'v2-1' } }, { events });
    expect(excused.map((e) => e.id)).toEqual([1]);
  });

  it("a replica taken out of rotation while a flap held it is out by the schedule's doing, within a probe period after", () => {
    const held = heldByFaults({ events: [played({ kind: 'unready', duration: 600, replica: 'v2-2', deliveredMs: 630, healedMs: 1230 })] });
    expect(outBySchedule(held, 'v2-2', 830, 200)).toBe(true);
    expect(outBySchedule(held, 'v2-2', 1500, 200)).toBe(false);
    expect(outBySchedule(held, 'v2-1', 830, 200)).toBe(false);
  });
});
