import type { PlayedEvent } from '../schedule/played.js';
import type { RolloutRecord, TrialRecord } from '../trial/record.js';
import type { LedgerEntry } from '../workload/ledger.js';

// What the schedule's own faults did to a rollout, for its oracles (pure): a replica the schedule froze, cut off or
// made fail its readiness probe could not serve, or was taken out of rotation, by the schedule's doing, not the
// service's. Those failures and that lost capacity are told apart, not counted against the rollout.

type Interval = [number, number];

type Lasting = 'pause' | 'partition' | 'unready';

/** The replica each pause, partition or readiness flap of the schedule held (of `kinds`), and from when to when it may have held. */
export function heldByFaults(record: Pick<TrialRecord, 'events'>, kinds: readonly Lasting[] = ['pause', 'partition', 'unready']): Map<string, Interval[]> {
  const held = new Map<string, Interval[]>();
  for (const e of record.events) {
    if (!(kinds as readonly string[]).includes(e.kind)) continue;
    if (!('replica' in e) || e.replica === undefined || e.deliveredMs === undefined) continue;
    held.set(e.replica, [...(held.get(e.replica) ?? []), span(e)]);
  }
  return held;
}

/** From its instant until its undoing was complete (or the trial's end). */
const span = (e: PlayedEvent): Interval => [Math.min(e.scheduledMs, e.deliveredMs!), e.undoneMs ?? e.healedMs ?? Number.POSITIVE_INFINITY];

/**
 * Failed while the replica it was sent to was frozen or cut off by the schedule: the request had no chance there
 * (a readiness flap alone excuses nothing: the replica still serves).
 */
export function failedByFaults(failed: readonly LedgerEntry[], rollout: Pick<RolloutRecord, 'routedTo'>, record: Pick<TrialRecord, 'events'>): LedgerEntry[] {
  const held = heldByFaults(record, ['pause', 'partition']);
  return failed.filter((e) => {
    const spans = held.get(rollout.routedTo[e.id] ?? '');
    return spans?.some(([a, b]) => e.sentMs < b && e.endMs > a) ?? false;
  });
}

/**
 * Whether a replica's leaving the rotation at `outMs` was the schedule's doing: its readiness failed while a pause,
 * partition or flap of the schedule held it (or within a readiness period after, the probe's own reach).
 */
export function outBySchedule(held: Map<string, Interval[]>, replica: string, outMs: number, graceMs: number): boolean {
  return (held.get(replica) ?? []).some(([a, b]) => outMs >= a && outMs <= b + graceMs);
}
