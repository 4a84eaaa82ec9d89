import { anchorOf, type FaultEvent, type Schedule } from '../schedule/event.js';
import { eventMoves } from './event-moves.js';
import type { Neighbourhood } from './neighbourhood.js';
import { variantKey, type Variant } from './variant.js';

// The variants one move away from a variant (pure): what amplify's hill climbing tries each round.

/** Workload scales tried, in order. */
const SCALES = [0.25, 0.5, 1, 2, 4, 8];
/** CPU limits tried, loosest first (undefined: none). */
const CPU_LIMITS = [undefined, 1, 0.5, 0.25, 0.1];

const delivers = (e: FaultEvent): e is Extract<FaultEvent, { kind: 'signal' | 'race' }> => e.kind === 'signal' || e.kind === 'race';

/**
 * The variants one move away: each event with one of its parameters moved (eventMoves: a stop's endpoint lag, a
 * pause's or partition's length, direction and mode, a storm's count and spacing, a race's order, a signal's
 * recipient); each event `step` or two earlier or later; the gap between two consecutive signals halved, doubled or
 * closed into a race; a race opened into two signals `step` apart; an anchored signal spread (spreadMoves); the workload's rate and concurrency doubled or
 * halved (when scalable); the target's CPU limit one level tighter or looser (none, 1, 0.5, 0.25, 0.1 CPU). Events
 * keep their place in the list (the player sorts by time), so a change reads event by event against the original.
 */
export function neighbours(v: Variant, space: Neighbourhood): Variant[] {
  const { schedule } = v;
  const out: Variant[] = [];
  const withEvents = (events: Schedule, workloadScale = v.workloadScale, cpus: { limit: number | undefined } = { limit: v.cpus }) =>
    out.push({ schedule: events, workloadScale, ...(cpus.limit !== undefined ? { cpus: cpus.limit } : {}) });
  const replace = (i: number, ...events: FaultEvent[]) => [...schedule.slice(0, i), ...events, ...schedule.slice(i + 1)];

  for (const [i, e] of schedule.entries()) {
    for (const moved of eventMoves(e, space)) withEvents(replace(i, moved));
    for (const d of [-2, -1, 1, 2]) {
      const at = e.at + d * space.step;
      if (at >= 0) withEvents(replace(i, { ...e, at }));
    }
    if (e.kind === 'race') {
      const [first, ...rest] = e.signals;
      const opened = rest.map((signal, k) => ({ at: e.at + (k + 1) * space.step, kind: 'signal' as const, signal, to: e.to }));
      withEvents(replace(i, { at: e.at, kind: 'signal', signal: first!, to: e.to }, ...opened));
    }
  }
  for (const events of gapMoves(schedule)) withEvents(events);
  for (const events of spreadMoves(schedule, space)) withEvents(events);
  if (space.scalable) {
    const at = SCALES.indexOf(v.workloadScale);
    for (const s of [SCALES[at - 1], SCALES[at + 1]]) if (s !== undefined) withEvents(schedule, s);
  }
  const level = CPU_LIMITS.indexOf(v.cpus);
  if (level > 0) withEvents(schedule, v.workloadScale, { limit: CPU_LIMITS[level - 1] });
  if (level >= 0 && level + 1 < CPU_LIMITS.length) withEvents(schedule, v.workloadScale, { limit: CPU_LIMITS[level + 1] });
  const seen = new Set([variantKey(v)]);
  return out.filter((n) => !seen.has(variantKey(n)) && seen.add(variantKey(n)));
}

/** Two signals one after the other: the later one closer to the first or further from it, or both at once (a race). */
function gapMoves(schedule: Schedule): Schedule[] {
  const out: Schedule[] = [];
  const byTime = schedule.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at);
  const replace = (j: number, e: FaultEvent) => schedule.map((x, n) => (n === j ? e : x));
  for (let k = 0; k + 1 < byTime.length; k++) {
    const { e: a, i } = byTime[k]!;
    const { e: b, i: j } = byTime[k + 1]!;
    if (!delivers(a) || !delivers(b)) continue;
    const gap = b.at - a.at;
    if (gap >= 2) out.push(replace(j, { ...b, at: a.at + Math.floor(gap / 2) }));
    if (gap >= 1) out.push(replace(j, { ...b, at: a.at + gap * 2 }));
    if (a.kind === 'signal' && b.kind === 'signal' && a.to === b.to && a.signal !== b.signal) {
      const race: FaultEvent = { at: a.at, kind: 'race', signals: [a.signal, b.signal], to: a.to };
      out.push(schedule.flatMap((e, n) => (n === i ? [race] : n === j ? [] : [e])));
    }
  }
  return out;
}

/**
 * A signal timed from a line, a write or a request, sent again 1 ms (or 2 ms) before and after it from the same
 * anchor, where `faults.max_events` leaves room for two more events (a schedule the fuzzer could draw). A window a few
 * ms wide that opens a variable few ms after its anchor (a sleep that overshoots, a busy target) is missed by one
 * offset now and then; one of three spread over it lands more often, and a first signal that comes early only starts
 * the stop the later one then finds in the window.
 * Also spread later: a first signal 2 ms before it, then two WINDOW_MS apart from 2, 3 or 4 ms after it. The first
 * signal's handler runs on the target's own threads and delays what the target does next by a few ms, so the window
 * opens later than when the signal came alone: measured 2026-12-07 on transfer-window (30 runs each, alternated,
 * SIGTERM after its debit's write): +7 ms alone 14/30, +5/+7/+9 ms 6/30, +5/+10/+13 ms 26/30.
 */
function spreadMoves(schedule: Schedule, space: Neighbourhood): Schedule[] {
  if ((space.maxEvents ?? 0) - schedule.length < 2) return [];
  const out: Schedule[] = [];
  for (const [i, e] of schedule.entries()) {
    if (e.kind !== 'signal' || !anchorOf(e)) continue;
    const spread = (...times: number[]) => out.push([...schedule.slice(0, i), ...times.map((at) => ({ ...e, at })), ...schedule.slice(i + 1)]);
    for (const d of [1, 2]) spread(...(e.at >= d ? [e.at, e.at - d, e.at + d] : [e.at, e.at + d, e.at + 2 * d]));
    for (const delay of [2, 3, 4]) spread(Math.max(0, e.at - 2), e.at + delay, e.at + delay + WINDOW_MS);
  }
  return out;
}

/** The gap between the two later signals of a later spread: about the width of the windows spreads are for (ms). */
const WINDOW_MS = 3;
