import type { SignalName } from '../signals.js';
import type { FaultEvent } from './event.js';

/** How a signal reached the target: kill() of its host pids, or the Docker API. */
export type DeliveryPath = 'host-pid' | 'docker-api';

/** An event as it was really played: times are ms after readiness on the trial's monotonic clock. */
export type PlayedEvent = FaultEvent & {
  /** `stop`: played by the scenario's stop model (its signals and final kill); `teardown`: the stop at the end of a schedule. */
  origin: 'schedule' | 'teardown' | 'stop';
  scheduledMs: number;
  /** For an event timed from a line or request (`after`): when that line was read, or that phase came. `at` and `scheduledMs` are then from readiness. */
  anchorMs?: number;
  /** For an event timed from a request: that request's id on the ledger. */
  anchorRequest?: number;
  /** When the event took effect (its first signal, the freeze, the cut). */
  deliveredMs?: number;
  /** Each signal the event delivered (one for `signal`, several for `storm` and `race`). */
  deliveries?: { signal: SignalName; atMs: number }[];
  /** When a pause or partition was undone (the undoing began: the fault surely held until then). */
  healedMs?: number;
  /**
   * How long a pause or partition surely held: from `deliveredMs` to `healedMs`. The span asked for is `duration`;
   * less than it only when the trial ended first (healed before a SIGKILL, at the stop, or on an interrupt).
   */
  heldMs?: number;
  /** When the undoing was complete: the fault may have held from `scheduledMs` until then. */
  undoneMs?: number;
  via?: DeliveryPath;
  /** Who sent its signals: the timing thread at their instants, or the event loop (the Docker API path). */
  sentFrom?: 'timing-thread' | 'event-loop';
  pids?: number[];
  /** Why the event was not (fully) delivered (target already gone, process not found, …). */
  error?: string;
};

/** The same played event with its times counted from an origin `byMs` later (negative results: before that origin). */
export function rebased(played: PlayedEvent, byMs: number): PlayedEvent {
  const shift = (ms: number | undefined) => (ms === undefined ? undefined : ms - byMs);
  const out: PlayedEvent = { ...played, scheduledMs: played.scheduledMs - byMs };
  for (const key of ['deliveredMs', 'healedMs', 'undoneMs'] as const) if (played[key] !== undefined) out[key] = shift(played[key])!;
  if (played.deliveries) out.deliveries = played.deliveries.map((d) => ({ ...d, atMs: d.atMs - byMs }));
  return out;
}

/**
 * A pause's or partition's span as held against the span asked: "held 803 of 800 ms", "held 412 of 800 ms (healed
 * early: the trial was ending)"; undefined for other events and for one that never took effect or was never healed.
 */
export function describeHeld(played: PlayedEvent): string | undefined {
  if ((played.kind !== 'pause' && played.kind !== 'partition') || played.deliveredMs === undefined || played.healedMs === undefined) return undefined;
  const held = played.heldMs ?? played.healedMs - played.deliveredMs; // records written before heldMs was kept
  const early = held < played.duration ? ' (healed early: the trial was ending)' : '';
  return `held ${Math.floor(held)} of ${Math.round(played.duration)} ms${early}`;
}
