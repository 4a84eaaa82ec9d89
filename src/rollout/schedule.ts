import { recipientOf, type FaultEvent, type RolloutEvent, type UnreadyEvent } from '../schedule/event.js';
import { rolloutTiming, type ReplicaStop, type RolloutPlan } from './plan.js';

// A rollout's schedule as plain data (pure): its size (a `rollout` event, else the scenario's), its timing (`stop`
// events, rollout/plan.ts), and the faults aimed at each replica (`replica: v1-2`), each timed from the rollout's clock
// or from that replica's own spawn, readiness or stop. The trial plays them (trial/replica-faults.ts); `validate`,
// `run --events` and `replay` refuse here, naming the event, what a rollout cannot play.

/** What an event aimed at a replica counts its `at` from: the rollout's clock (the workload's start), or the replica's own moments. */
export type ReplicaAnchor = 'clock' | 'spawn' | 'ready' | 'stop';

/** The faults a player plays on a replica (signals, storms, races, pauses, partitions). */
export type ReplicaFault = Extract<FaultEvent, { kind: 'signal' | 'storm' | 'race' | 'pause' | 'partition' }>;

export interface RolloutSchedule {
  /** The plan as played: the scenario's, with the `rollout` event's size and beginning. */
  plan: RolloutPlan;
  atMs: number;
  stops: ReplicaStop[];
  lagMs: number;
  /** Per replica name, the faults aimed at it. */
  faults: Map<string, ReplicaFault[]>;
  /** Per replica name, its readiness flaps. */
  unready: Map<string, UnreadyEvent[]>;
  /** Each event a rollout cannot play, and why: "events[2] (+0 ms SIGTERM→main): …". */
  problems: { index: number; key?: string; message: string }[];
}

/** Where an event aimed at a replica counts from. */
export const anchorOfReplicaEvent = (e: ReplicaFault | UnreadyEvent): ReplicaAnchor => ('from' in e && e.from ? e.from : 'clock');

/** The replicas a rollout of `n` has: v1-1…v1-n (old) and v2-1…v2-n (new). */
export const replicaNames = (n: number): string[] => [...Array.from({ length: n }, (_, i) => `v1-${i + 1}`), ...Array.from({ length: n }, (_, i) => `v2-${i + 1}`)];

/**
 * The schedule read for a rollout of `scenarioPlan`: a `rollout` event sets its size (at most one) and when it
 * begins; `stop` events its timing (as many as it has old replicas at most: the others are dropped); every other
 * event must name a replica that the rollout has, and a signal goes to one of that replica's own processes.
 */
export function rolloutSchedule(scenarioPlan: RolloutPlan, schedule: readonly FaultEvent[]): RolloutSchedule {
  const problems: RolloutSchedule['problems'] = [];
  const sizes = schedule.map((e, index) => ({ e, index })).filter((x): x is { e: RolloutEvent; index: number } => x.e.kind === 'rollout');
  for (const extra of sizes.slice(1)) problems.push({ index: extra.index, message: 'a rollout has one size: one `rollout` event at most' });
  const size = sizes[0]?.e;
  const plan: RolloutPlan = size ? { ...scenarioPlan, replicas: size.replicas, ...(size ? { atMs: size.at } : {}) } : scenarioPlan;
  const timing = rolloutTiming(plan, schedule.filter((e) => e.kind === 'stop'));
  const stops = timing.stops.slice(0, plan.replicas);
  const names = new Set(replicaNames(plan.replicas));
  const faults = new Map<string, ReplicaFault[]>();
  const unready = new Map<string, UnreadyEvent[]>();
  schedule.forEach((e, index) => {
    if (e.kind === 'stop' || e.kind === 'rollout') return;
    const why = refusal(e, names, plan.replicas);
    if (why) return void problems.push({ index, ...why });
    const name = e.replica!;
    if (e.kind === 'unready') unready.set(name, [...(unready.get(name) ?? []), e]);
    else faults.set(name, [...(faults.get(name) ?? []), e]);
  });
  problems.sort((a, b) => a.index - b.index);
  return { plan, atMs: size ? size.at : timing.atMs, stops, lagMs: stops.at(-1)?.lagMs ?? timing.lagMs, faults, unready, problems };
}

/** Why a rollout cannot play `e`, or undefined. */
function refusal(e: Exclude<FaultEvent, { kind: 'stop' | 'rollout' }>, names: Set<string>, n: number): { key?: string; message: string } | undefined {
  if (e.replica === undefined) return { message: 'a rollout plays faults aimed at one of its replicas: add `replica: v1-1` (an old one) or `replica: v2-1` (a new one)' };
  if (!names.has(e.replica)) return { key: 'replica', message: `the rollout has ${n} replica${n === 1 ? '' : 's'} (v1-1…v1-${n} old, v2-1…v2-${n} new): there is no ${e.replica}` };
  if (e.kind === 'pause' && e.to !== undefined) return { key: 'to', message: 'a pause of a replica freezes the whole replica: leave `to` out' };
  if (e.kind === 'partition' && e.between) return { key: 'between', message: "a partition of a replica cuts the balancer's link to it: leave `between` out" };
  if ('to' in e && e.kind !== 'pause' && recipientOf(e.to).service !== undefined) {
    return { key: 'to', message: `a signal to a replica goes to its main, group, children or all, not to ${JSON.stringify(e.to)}` };
  }
  return undefined;
}

/** Problems as lines that name each event and its key: "events[1].replica (v1-3 stop+300 ms SIGTERM→main): …". */
export const describeProblems = (problems: RolloutSchedule['problems'], describe: (index: number) => string): string[] =>
  problems.map((p) => `events[${p.index}]${p.key ? `.${p.key}` : ''} (${describe(p.index)}): ${p.message}`);
