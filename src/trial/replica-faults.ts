import type { Player } from '../faults/player.js';
import { anchorOfReplicaEvent, type ReplicaAnchor, type ReplicaFault } from '../rollout/schedule.js';
import type { FaultEvent } from '../schedule/event.js';
import type { PlayedEvent } from '../schedule/played.js';

// The schedule's faults aimed at one replica, handed to that replica's own Player (faults/player.ts, the one impure
// interpreter of a schedule) as the moment each is timed from comes: the rollout's clock, the replica's spawn, its
// readiness, its stop. Times become the trial's (ms after the workload started), as every event of the record has.

const MOMENT: Record<ReplicaAnchor, string> = { clock: 'start', spawn: 'start', ready: 'readiness', stop: 'stop' };

export class ReplicaFaults {
  private readonly pending = new Map<ReplicaAnchor, ReplicaFault[]>();

  constructor(
    private readonly replica: string,
    events: readonly ReplicaFault[],
    private readonly player: Player,
    private readonly originMs: number,
  ) {
    for (const e of events) this.pending.set(anchorOfReplicaEvent(e), [...(this.pending.get(anchorOfReplicaEvent(e)) ?? []), e]);
  }

  /**
   * The replica reached `anchor` at `atMs` (monotonic): the events timed from it go to the player. An old replica's
   * spawn and readiness came before the workload started: what is timed from them is played from 0 on. An event timed
   * from the rollout's clock before a new replica was started is not played (it did not exist yet).
   */
  reached(anchor: ReplicaAnchor, atMs: number): void {
    const events = this.pending.get(anchor);
    if (!events) return;
    this.pending.delete(anchor);
    const anchorMs = anchor === 'clock' ? 0 : atMs - this.originMs;
    const startedMs = atMs - this.originMs;
    const early = anchor === 'clock' ? events.filter((e) => e.at < startedMs) : [];
    for (const e of early) this.notPlayed(e, e.at, `not played: ${this.replica} was started at +${Math.round(startedMs)} ms`);
    const timed = events
      .filter((e) => !early.includes(e))
      .map(({ from: _from, ...e }) => ({ ...e, at: Math.max(0, anchorMs + e.at), ...(anchor === 'clock' ? {} : { anchorMs }) }) as FaultEvent);
    if (timed.length) this.player.play(timed).catch(() => undefined); // each event's error is in its record
  }

  /** The trial is over: the events whose moment never came are recorded as not played. */
  missed(): void {
    for (const [anchor, events] of this.pending) for (const e of events) this.notPlayed(e, e.at, `not played: ${this.replica}'s ${MOMENT[anchor]} never came`);
    this.pending.clear();
  }

  private notPlayed(e: ReplicaFault, at: number, error: string): void {
    const { from: _from, ...rest } = e;
    this.player.played.push({ ...rest, at, origin: 'schedule', scheduledMs: at, error } as PlayedEvent);
  }
}
