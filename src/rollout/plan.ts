// A rolling update as plain data: the plan a scenario's `rollout:` gives, and the one pure rule of which replica is
// started or stopped next (the Deployment controller's, for a RollingUpdate). The trial plays it against real replicas
// (trial/rollout.ts); `simulateRollout` plays it on paper, for tests and for the fuzzer's idea of how long it takes.

/** A range the fuzzer may draw from; `run` plays its upper end (the worst lag the scenario admits). */
export interface MsRange {
  minMs: number;
  maxMs: number;
}

/** How the replicas are replaced: Kubernetes' RollingUpdate, Swarm's update_config (compose), or blue-green. */
export type Strategy = 'rolling' | 'compose' | 'blue-green';

/** compose's `deploy.update_config` as Swarm's updater plays it (rollout/swarm.ts); times in ms. */
export interface SwarmUpdate {
  /** Slots updated at once; 0: all of them. */
  parallelism: number;
  /** Each worker's wait after a slot, before taking the next one. */
  delayMs: number;
  /** stop-first: the old task stopped (and gone) before its replacement starts; start-first: the new one running first. */
  order: 'stop-first' | 'start-first';
  /** How long Swarm watches each new task for a failure before the update counts as complete. */
  monitorMs: number;
}

/** `rollout:` with every default filled in, times in ms. */
export interface RolloutPlan {
  strategy: Strategy;
  /** Replicas before and after (the Deployment's spec.replicas). */
  replicas: number;
  /** maxSurge as a number of replicas (a percentage rounded up, as Kubernetes does); for the other strategies, what they add at most. */
  maxSurge: number;
  /** maxUnavailable as a number of replicas (a percentage rounded down); for the other strategies, what they take out at most. */
  maxUnavailable: number;
  /** minReadySeconds: a new replica counts as available this long after it became ready. */
  minReadyMs: number;
  /** The readiness probe the load balancer follows: every `periodMs` from a replica's start; out after `failureThreshold` failures in a row. */
  readiness: { periodMs: number; failureThreshold: number };
  /** How long an old replica stays in rotation after its stop begins (kube-proxy's endpoint-removal lag). */
  endpointLag: MsRange;
  /** When the rollout begins, ms after the workload started. */
  atMs: number;
  /** The load balancer: sigstorm's own, a real HAProxy driven through its runtime API, or nginx reloaded. */
  balancer: 'embedded' | 'haproxy' | 'nginx';
  /** HAProxy's own health checks: they take a stopping replica out of rotation (no endpoint lag is played). */
  healthCheck?: HealthCheck;
  /** compose's update_config, with `strategy: compose`. */
  update?: SwarmUpdate;
  /** The Deployment or compose service it was read from, when one was named: "deploy.yaml (Deployment web)". */
  source?: string;
}

/** A balancer's health checks of each replica: every `intervalMs`; out after `fall` failures in a row, in after `rise` passes. */
export interface HealthCheck {
  intervalMs: number;
  fall: number;
  rise: number;
}

/** What the controller knows of the fleet at one moment. */
export interface Fleet {
  /** Old replicas not yet told to stop (each counts as available until then). */
  old: number;
  /** New replicas started, ready or not. */
  newStarted: number;
  /** New replicas ready for at least minReady. */
  newAvailable: number;
}

export type Move = 'start-new' | 'stop-old';

/**
 * The moves the Deployment controller makes now: scale the new ReplicaSet up within replicas + maxSurge, then the
 * old one down while at least replicas − maxUnavailable stay available. Stopping old replicas comes after starting new
 * ones, as in one sync of the controller.
 */
export function nextMoves(plan: Pick<RolloutPlan, 'replicas' | 'maxSurge' | 'maxUnavailable'>, fleet: Fleet): Move[] {
  const { replicas, maxSurge, maxUnavailable } = plan;
  const startNew = Math.max(0, Math.min(replicas - fleet.newStarted, replicas + maxSurge - (fleet.old + fleet.newStarted)));
  const available = fleet.old + fleet.newAvailable;
  const stopOld = Math.max(0, Math.min(fleet.old, available - (replicas - maxUnavailable)));
  return [...Array<Move>(startNew).fill('start-new'), ...Array<Move>(stopOld).fill('stop-old')];
}

/** The rollout is over once every old replica was told to stop and every new one is available. */
export const rolloutDone = (plan: Pick<RolloutPlan, 'replicas'>, fleet: Fleet): boolean => fleet.old === 0 && fleet.newAvailable === plan.replicas;

/** One move on paper: when, and which replica (old ones `v1-1`…, new ones `v2-1`…, in the order they move). */
export interface SimulatedStep {
  atMs: number;
  move: Move | 'available';
  replica: string;
}

/**
 * The rollout's steps on paper, from its beginning: each new replica available `readyMs` + minReady after it is
 * started, each old one out of the count the moment it is told to stop. Throws on a plan that can never progress.
 */
export function simulateRollout(plan: RolloutPlan, readyMs: number): SimulatedStep[] {
  const steps: SimulatedStep[] = [];
  const fleet: Fleet = { old: plan.replicas, newStarted: 0, newAvailable: 0 };
  const pending: number[] = []; // when each started new replica becomes available
  let atMs = 0;
  let stopped = 0;
  while (!rolloutDone(plan, fleet)) {
    const moves = nextMoves(plan, fleet);
    for (const move of moves) {
      if (move === 'start-new') {
        fleet.newStarted++;
        pending.push(atMs + readyMs + plan.minReadyMs);
        steps.push({ atMs, move, replica: `v2-${fleet.newStarted}` });
      } else {
        fleet.old--;
        steps.push({ atMs, move, replica: `v1-${++stopped}` });
      }
    }
    if (moves.length === 0) {
      const next = pending.shift();
      if (next === undefined) throw new Error('the rollout cannot progress: max_surge and max_unavailable are both 0');
      atMs = next;
      fleet.newAvailable++;
      steps.push({ atMs, move: 'available', replica: `v2-${fleet.newAvailable}` });
    }
  }
  return steps;
}

/** maxSurge / maxUnavailable as Kubernetes resolves them: a count, or a percentage of replicas (surge up, unavailable down). */
export function replicasOf(value: number | string, replicas: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const share = (Number(value.slice(0, -1)) * replicas) / 100;
  return round === 'up' ? Math.ceil(share) : Math.floor(share);
}

/** The part of a schedule's event a rollout reads. */
export interface TimedEvent {
  kind: string;
  at: number;
  endpoint_delay?: number;
}

/** When one old replica's stop may begin at the earliest (ms after the workload started), and the lag it gets. */
export interface ReplicaStop {
  notBeforeMs: number;
  lagMs: number;
}

/**
 * A rollout's timing from a schedule of `stop` events (what `fuzz` draws, what `run --events` replays), in time order:
 * the first says when the rollout begins; the k-th, when the k-th old replica's stop may begin at the earliest (the
 * controller still waits for room to stop it) and the endpoint lag it gets, kept within the plan's range. Old replicas
 * beyond the events are stopped as the controller decides, with the last event's lag. Without events: the plan's `at`
 * and the range's upper end. Other events' kinds are returned apart (rollout/schedule.ts reads the faults aimed at replicas).
 */
export function rolloutTiming(plan: RolloutPlan, schedule: readonly TimedEvent[]): { atMs: number; stops: ReplicaStop[]; lagMs: number; unplayed: string[] } {
  const events = schedule.filter((e) => e.kind === 'stop').sort((a, b) => a.at - b.at);
  const unplayed = schedule.filter((e) => e.kind !== 'stop').map((e) => e.kind);
  const { minMs, maxMs } = plan.endpointLag;
  const lagOf = (e: TimedEvent) => Math.min(maxMs, Math.max(minMs, e.endpoint_delay ?? maxMs));
  const stops = events.map((e) => ({ notBeforeMs: e.at, lagMs: lagOf(e) }));
  return { atMs: events[0]?.at ?? plan.atMs, stops, lagMs: stops.at(-1)?.lagMs ?? maxMs, unplayed };
}

/** "rollout of 3 replicas (deploy.yaml (Deployment web)): maxSurge 1, maxUnavailable 0, readiness every 1 s, endpoint lag 100–1000 ms" */
export function describeRollout(plan: RolloutPlan): string {
  const { minMs, maxMs } = plan.endpointLag;
  const lag = minMs === maxMs ? `${minMs} ms` : `${minMs}–${maxMs} ms`;
  const source = plan.source ? ` (${plan.source})` : '';
  const removal = plan.healthCheck ? `health checks every ${plan.healthCheck.intervalMs} ms (fall ${plan.healthCheck.fall})` : `endpoint lag ${lag}`;
  const u = plan.update;
  const how =
    plan.strategy === 'compose' && u
      ? `update_config parallelism ${u.parallelism}, delay ${u.delayMs} ms, order ${u.order}, monitor ${u.monitorMs} ms`
      : plan.strategy === 'blue-green'
        ? 'blue-green (all new ready, then one switch)'
        : `maxSurge ${plan.maxSurge}, maxUnavailable ${plan.maxUnavailable}`;
  const what = plan.strategy === 'blue-green' ? `switch lag ${lag}` : removal;
  return `rollout of ${plan.replicas} replicas${source}: ${how}, readiness every ${plan.readiness.periodMs} ms, ${what}`;
}
