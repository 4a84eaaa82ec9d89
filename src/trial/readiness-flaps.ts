import type { UnreadyEvent } from '../schedule/event.js';
import type { PlayedEvent } from '../schedule/played.js';
import { anchorOfReplicaEvent, type ReplicaAnchor } from '../rollout/schedule.js';

// A replica's readiness flaps (`unready` events): while one holds, its readiness probe fails whatever the target
// answers, so the balancer takes it out after failure_threshold probes and back in at the next passing one. Each is
// recorded as a played event: delivered at the first probe it failed, healed at the first probe after it.

export class ReadinessFlaps {
  readonly played: PlayedEvent[] = [];
  private readonly flaps: { event: UnreadyEvent; played?: PlayedEvent }[];

  constructor(
    events: readonly UnreadyEvent[],
    /** When the replica reached each moment (monotonic), undefined until it has. */
    private readonly moment: (anchor: ReplicaAnchor) => number | undefined,
    private readonly originMs: number,
  ) {
    this.flaps = events.map((event) => ({ event }));
  }

  /** Whether a probe at `atMs` (monotonic) is failed by a flap; each flap's record kept up to date. */
  failsProbeAt(atMs: number): boolean {
    let fails = false;
    for (const flap of this.flaps) {
      const anchorMs = this.moment(anchorOfReplicaEvent(flap.event));
      if (anchorMs === undefined) continue;
      const from = anchorMs + flap.event.at;
      const within = atMs >= from && atMs < from + flap.event.duration;
      if (within) fails = true;
      const rel = (ms: number) => ms - this.originMs;
      if (within && !flap.played) {
        const { from: _from, ...rest } = flap.event;
        flap.played = { ...rest, at: rel(from), origin: 'schedule', scheduledMs: rel(from), deliveredMs: rel(atMs), anchorMs: rel(anchorMs) } as PlayedEvent;
        this.played.push(flap.played);
      } else if (!within && flap.played && flap.played.healedMs === undefined && atMs >= from) {
        flap.played.healedMs = rel(atMs);
        flap.played.heldMs = flap.played.healedMs - flap.played.deliveredMs!;
      }
    }
    return fails;
  }

  /** The trial is over: flaps that never failed a probe are recorded as not played. */
  missed(): void {
    for (const flap of this.flaps.filter((f) => !f.played)) {
      const { from: _from, ...rest } = flap.event;
      this.played.push({ ...rest, origin: 'schedule', scheduledMs: flap.event.at, error: 'not played: no readiness probe fell within it' } as PlayedEvent);
    }
  }
}
