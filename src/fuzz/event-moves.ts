import { anchorOf, isRequestAnchor, type Anchor, type FaultEvent, type PartitionEvent, type StormEvent } from '../schedule/event.js';
import { STORM_COUNT, type Neighbourhood, type Range } from './neighbourhood.js';

// What an event holds, one move away, within the neighbourhood's bounds (pure). Times are moved in neighbours.ts.

/**
 * A bounded value's moves: halved, doubled (from 0: one grid step) and the far end of its range, each rounded to the
 * grid and kept within the range; the value itself left out. The far end is there because these failures mostly grow
 * with the fault (a longer lag, a longer cut), and one move reaches what doubling would take rounds to.
 */
export function rangeMoves(value: number, range: Range): number[] {
  const inRange = (x: number) => Math.min(range.max, Math.max(range.min, Math.round(x / range.grid) * range.grid));
  const moved = [value / 2, value === 0 ? range.grid : value * 2, range.max].map(inRange);
  return [...new Set(moved)].filter((x) => x !== value);
}

const DIRECTIONS = ['both', 'in', 'out'] as const;
const MODES = ['drop', 'reject'] as const;

/** The event with each of its parameters moved, one at a time (its time left as it is). */
export function eventMoves(e: FaultEvent, space: Neighbourhood): FaultEvent[] {
  switch (e.kind) {
    case 'stop': {
      const lag = space.endpointLag;
      if (!lag) return [];
      return rangeMoves(e.endpoint_delay ?? lag.modelMs, { min: 0, max: lag.maxMs, grid: space.step }).map((ms) => ({ ...e, endpoint_delay: ms }));
    }
    case 'pause':
      return rangeMoves(e.duration, space.lasting).map((duration) => ({ ...e, duration }));
    case 'partition':
      return partitionMoves(e, space);
    case 'storm':
      return [...stormMoves(e, space), ...recipientMoves(e, space), ...anchorMoves(e)];
    case 'race': {
      const reversed = [...e.signals].reverse();
      const order = reversed.join() !== e.signals.join() ? [{ ...e, signals: reversed }] : [];
      return [...order, ...recipientMoves(e, space), ...anchorMoves(e)];
    }
    case 'signal':
      return [...recipientMoves(e, space), ...anchorMoves(e)];
    case 'unready':
      return rangeMoves(e.duration, space.lasting).map((duration) => ({ ...e, duration }));
    case 'rollout':
      return [];
  }
}

/** Its length, the other directions and the other mode (the fuzzer draws them all). */
function partitionMoves(e: PartitionEvent, space: Neighbourhood): FaultEvent[] {
  return [
    ...rangeMoves(e.duration, space.lasting).map((duration) => ({ ...e, duration })),
    ...DIRECTIONS.filter((d) => d !== e.direction).map((direction) => ({ ...e, direction })),
    ...MODES.filter((m) => m !== e.mode).map((mode) => ({ ...e, mode })),
  ];
}

/** Its count and spacing, the whole storm ((count − 1) × spacing) within the horizon. */
function stormMoves(e: StormEvent, space: Neighbourhood): FaultEvent[] {
  const span = Math.max(space.horizon, 1);
  const maxCount = Math.max(STORM_COUNT.min, Math.min(STORM_COUNT.max, Math.floor(span / Math.max(1, e.spacing)) + 1));
  const maxSpacing = Math.max(1, Math.floor(span / Math.max(1, e.count - 1)));
  return [
    ...rangeMoves(e.count, { min: STORM_COUNT.min, max: maxCount, grid: 1 }).map((count) => ({ ...e, count })),
    ...rangeMoves(e.spacing, { min: 1, max: maxSpacing, grid: 1 }).map((spacing) => ({ ...e, spacing })),
  ];
}

/** The other recipients `faults.to` allows, for a signal aimed at the target (a service's recipient is not drawn). */
function recipientMoves<E extends Extract<FaultEvent, { to: string }>>(e: E, space: Neighbourhood): E[] {
  if (!space.recipients.includes(e.to)) return [];
  return space.recipients.filter((to) => to !== e.to).map((to) => ({ ...e, to }));
}

/**
 * An event timed from a line, a write or a request: 1 and 2 ms earlier or later after it (a window it opens is a few ms
 * long: a step's move would jump over it), the occurrence before or after it, and a request's other phase. 2 ms in
 * one round, not two: measured 2026-12-07 on go-rotate-window (quiet machine, 20 runs each, alternated), SIGTERM +0,
 * +1, +2, +3 and +4 ms after "reopening logs" failed 6, 19, 20, 5 and 1 of 20; a minimal shrunk to +0 is two moves
 * from its best.
 */
function anchorMoves(e: FaultEvent): FaultEvent[] {
  const anchor = anchorOf(e);
  if (!anchor) return [];
  const after = (changes: Partial<Anchor>) => ({ ...e, after: { ...anchor, ...changes } }) as FaultEvent;
  const times = [e.at - 1, e.at + 1, e.at - 2, e.at + 2].filter((at) => at >= 0).map((at) => ({ ...e, at }));
  if (!isRequestAnchor(anchor)) return [...times, ...[anchor.nth - 1, anchor.nth + 1].filter((n) => n >= 1).map((nth) => after({ nth }))];
  return [
    ...times,
    ...[anchor.request - 1, anchor.request + 1].filter((n) => n >= 1).map((request) => after({ request })),
    after({ phase: anchor.phase === 'sent' ? 'response' : 'sent' }),
  ];
}
