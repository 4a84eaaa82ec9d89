import type { ReplicaStop } from '../rollout/plan.js';
import type { Target } from '../scenario/types.js';
import type { StopSettings } from '../stop-models/model.js';
import { now, sleepUntil } from '../time.js';
import { armReplica, probeReadiness, startReplica, stopReplica, type Fleet, type Replica } from './replica.js';

// The two moves every rollout strategy is made of (trial/rollout.ts, rollout-swarm.ts, rollout-blue-green.ts): a new
// replica started and probed until available, and the k-th old replica stopped with the timing the schedule gives it.

/** One rollout in play: what its strategy moves. */
export interface RolloutRun {
  fleet: Fleet;
  /** Every replica started, old and new, for the record and the cleanup. */
  replicas: Replica[];
  /** The old replicas, in the order they are stopped. */
  olds: Replica[];
  /** The new version's target. */
  spec: Target;
  stop: StopSettings;
  /** When the k-th old replica's stop may begin at the earliest, and its lag (rollout/plan.ts rolloutTiming). */
  timing: ReplicaStop[];
  /** The lag of old replicas beyond the timing's. */
  lagMs: number;
}

/**
 * A new replica: started, in rotation at its first passing probe (`held`: kept out of it until a switch lets it in),
 * available min_ready later.
 */
export async function startNew(fleet: Fleet, name: string, spec: Target, replicas: Replica[], held = false): Promise<Replica> {
  const replica = await startReplica(fleet, name, 'v2', spec);
  if (held) replica.held = true;
  replicas.push(replica);
  armReplica(fleet, replica);
  await probeReadiness(fleet, replica, spec);
  await sleepUntil(replica.readyMs! + fleet.plan.minReadyMs, fleet.abort);
  replica.availableMs = now();
  return replica;
}

/** The k-th old replica's stop (0-based), not before its time in the schedule; `removal`: what takes it out of rotation, when not its own lag. */
export function stopOld(run: RolloutRun, k: number, removal?: Promise<void>): Promise<void> {
  const when = run.timing[k] ?? { notBeforeMs: 0, lagMs: run.lagMs };
  const stopping = stopReplica(run.fleet, run.olds[k]!, run.stop, when.lagMs, run.fleet.originMs + when.notBeforeMs, removal);
  stopping.catch(() => undefined); // awaited by the strategy
  return stopping;
}
