import fc from 'fast-check';
import type { FaultEvent, Schedule } from '../schedule/event.js';
import type { FaultSpace, Rollout } from '../scenario/types.js';
import type { SignalName } from '../signals.js';
import { fewerReplicas } from './fewer-replicas.js';

/**
 * A rollout's schedules: its timing (a `stop` event per old replica at most, in time order, each the earliest its
 * replica's stop may begin and the endpoint lag it gets, within `endpoint_lag` on the step; the first is also when
 * the rollout begins), the fault space's faults aimed at its replicas, readiness flaps of its new replicas, and its
 * size: drawn at the scenario's `replicas`, shrunk to fewer (a `rollout` event, down to 1). Shrinking goes to one
 * stop event, early, with the shortest lag, no fault and no flap, and the fewest replicas that still fail.
 *
 * Faults are drawn where they judge the service, not the rollout's bookkeeping: a terminating signal (or a race) goes
 * to an old replica a few steps after its own stop signal (a second stop during its drain: a second controller, a
 * process-group kill), never before its stop (the balancer would still route to a replica nobody stops: every service
 * loses requests then); signals it must survive, storms, pauses and partitions go to any replica, timed from the
 * rollout's clock, its readiness or its stop; a new replica's readiness flaps for whole probe periods after it
 * first passed, taking it out of rotation once `failure_threshold` probes failed.
 */
export interface RolloutSpace {
  rollout: Pick<Rollout, 'replicas' | 'endpointLag' | 'healthCheck' | 'readiness'>;
  faults: FaultSpace;
  time: fc.Arbitrary<number>;
  /** Signals that must stop the target, and those it must survive (the contract's), the stop signal first. */
  terminating: SignalName[];
  survivable: SignalName[];
  /** When the stop model's signal comes after a stop begins, when known (a preStop sleep). */
  signalAfterMs?: number | undefined;
}

export function rolloutArbitrary(space: RolloutSpace): fc.Arbitrary<Schedule> {
  const { rollout, faults } = space;
  const n = rollout.replicas;
  const { minMs, maxMs } = rollout.endpointLag;
  const steps = Math.floor((maxMs - minMs) / faults.step);
  const stop = fc.record({ at: space.time, lag: fc.integer({ min: 0, max: steps }) });
  const faultKinds = replicaFaults(space);
  return fc
    .record({
      replicas: fewerReplicas(n),
      stops: fc.array(stop, { minLength: 1, maxLength: n }),
      faults: faultKinds ? fc.array(faultKinds, { maxLength: faults.maxEvents }) : fc.constant([]),
      flaps: faults.flaps ? fc.array(flap(space), { maxLength: 1 }) : fc.constant([]),
    })
    .map(({ replicas, stops, faults: drawn, flaps }) => {
      const timing = stops
        .slice(0, replicas)
        // Behind the balancer's own health checks no lag is played: the stop's time alone meets their phase.
        .map(({ at, lag }) => ({ at, kind: 'stop' as const, ...(rollout.healthCheck ? {} : { endpoint_delay: minMs + lag * faults.step }) }))
        .sort((a, b) => a.at - b.at);
      const size: FaultEvent[] = replicas < n ? [{ at: timing[0]!.at, kind: 'rollout', replicas }] : [];
      // A replica the smaller rollout does not have takes nothing.
      const aimed = [...drawn, ...flaps].filter((e) => 'replica' in e && Number(e.replica!.slice(3)) <= replicas);
      return [...size, ...timing, ...aimed];
    });
}

/** The faults of the space, each aimed at a replica; undefined when the space has none. */
function replicaFaults(space: RolloutSpace): fc.Arbitrary<FaultEvent> | undefined {
  const { faults, time, rollout } = space;
  const n = rollout.replicas;
  const old = fc.integer({ min: 1, max: n }).map((k) => `v1-${k}`);
  const any = fc.oneof(old, fc.integer({ min: 1, max: n }).map((k) => `v2-${k}`));
  const to = fc.constantFrom(...faults.to);
  const kinds: fc.Arbitrary<FaultEvent>[] = [];
  if (space.terminating.length > 0) {
    const after = space.signalAfterMs ?? 0;
    const at = fc.integer({ min: 1, max: 8 }).map((k) => after + k * faults.step);
    const signal = fc.record({ at, from: fc.constant('stop' as const), kind: fc.constant('signal' as const), signal: fc.constantFrom(...space.terminating), to, replica: old });
    kinds.push(signal);
    if (faults.races && space.terminating.length >= 2) {
      const signals = fc.shuffledSubarray(space.terminating, { minLength: 2, maxLength: 2 });
      kinds.push(fc.record({ at, from: fc.constant('stop' as const), kind: fc.constant('race' as const), signals, to, replica: old }));
    }
  }
  const from = fc.constantFrom(undefined, 'ready' as const, 'stop' as const);
  const timed = <T extends object>(fields: T) => fc.record({ at: time, from, replica: any, ...fields }).map(withoutUndefinedFrom);
  if (space.survivable.length > 0) {
    kinds.push(timed({ kind: fc.constant('signal' as const), signal: fc.constantFrom(...space.survivable), to }) as fc.Arbitrary<FaultEvent>);
    if (faults.storms) {
      const storm = { kind: fc.constant('storm' as const), signals: fc.subarray(space.survivable, { minLength: 1 }), count: fc.integer({ min: 2, max: 20 }), spacing: fc.constantFrom(10, 5, 1, 25), to };
      kinds.push(timed(storm) as fc.Arbitrary<FaultEvent>);
    }
  }
  const duration = fc.integer({ min: 1, max: 40 }).map((k) => k * 50);
  if (faults.pauses) kinds.push(timed({ kind: fc.constant('pause' as const), duration }) as fc.Arbitrary<FaultEvent>);
  if (faults.partitions) {
    const cut = { kind: fc.constant('partition' as const), direction: fc.constantFrom('both' as const, 'in' as const, 'out' as const), mode: fc.constantFrom('drop' as const, 'reject' as const), duration };
    kinds.push(timed(cut) as fc.Arbitrary<FaultEvent>);
  }
  return kinds.length ? fc.oneof({ withCrossShrink: true }, ...kinds) : undefined;
}

/** A new replica's readiness failing for whole probe periods, from a whole number of periods after it first passed. */
function flap(space: RolloutSpace): fc.Arbitrary<FaultEvent> {
  const { periodMs, failureThreshold } = space.rollout.readiness;
  return fc.record({
    at: fc.integer({ min: 0, max: 4 }).map((k) => k * periodMs),
    from: fc.constant('ready' as const),
    kind: fc.constant('unready' as const),
    replica: fc.integer({ min: 1, max: space.rollout.replicas }).map((k) => `v2-${k}`),
    // Shrinks towards one period: too short to take it out of rotation (failure_threshold probes are).
    duration: fc.integer({ min: 1, max: failureThreshold + 2 }).map((k) => k * periodMs),
  });
}

const withoutUndefinedFrom = <T extends { from?: unknown }>(e: T): T => {
  if (e.from !== undefined) return e;
  const { from: _from, ...rest } = e;
  return rest as T;
};
