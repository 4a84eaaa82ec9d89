import { anchorOf, fromSpawn, isRequestAnchor, serviceOf, type FaultEvent, type Schedule } from '../schedule/event.js';
import type { Scenario } from '../scenario/types.js';
import type { SignalName } from '../signals.js';
import { stopModelOf } from '../stop-models/registry.js';
import { neighbourhoodOf } from './neighbourhood.js';
import type { ObservedLine } from './novelty.js';
import { FINE_PARTS } from './time-space.js';

// Mutations of a corpus schedule (src/fuzz/corpus.ts), pure: the schedule, what its trial showed of the target's
// lines, and a random source in; a schedule of the same fault space out (or undefined: no mutation applies). Each is
// a small move in the spirit of a coverage-guided fuzzer's havoc stage, in the fault space's own terms.

/** Where mutations may go: the fault space, with the bounds amplify's neighbourhood takes from it (neighbourhood.ts). */
export interface MutationSpace {
  step: number;
  /** Times stay within this after readiness (the furthest the time space may grow: `faults.horizon_max`). */
  horizonMax: number;
  maxEvents: number;
  /** The signals a target's event may carry, and which of them must stop it (the others it must survive). */
  signals: SignalName[];
  terminating: SignalName[];
  /** Recipients of the target's signals (`faults.to`). */
  recipients: string[];
  /** Under a stop model that draws its stop event, schedules keep their shape: only times and signals move. */
  drawsStop: boolean;
}

type Space = Pick<Scenario, 'faults' | 'expect' | 'workload'> & Partial<Pick<Scenario, 'stop'>>;

export function mutationSpaceOf(scenario: Space): MutationSpace {
  const { faults } = scenario;
  const terminating = faults.signals.filter((s) => s === 'SIGKILL' || scenario.expect[s]?.kind === 'exit');
  return {
    step: faults.step,
    horizonMax: faults.horizonMax,
    maxEvents: faults.maxEvents,
    signals: [...faults.signals],
    terminating,
    recipients: neighbourhoodOf(scenario).recipients,
    drawsStop: scenario.stop ? stopModelOf(scenario.stop).fuzz(scenario.stop).drawsStop : false,
  };
}

/** What a mutation works on: a schedule, and the lines its trial saw the target print (novelty.ts). */
export interface MutationBase {
  schedule: Schedule;
  lines: readonly ObservedLine[];
}

export type MutationKind = 'shift' | 'shift-far' | 'to-line' | 'anchor' | 'second-signal' | 'other-signal';

/** A random number in [0, 1): the mutation's choices, all of them, come from it. */
export type Random = () => number;

const pick = <T>(rand: Random, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const between = (rand: Random, min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));

/** An event a mutation may move: the target's, timed from readiness or from a line (not from spawn, not a dependency's). */
const movable = (e: FaultEvent): boolean => !fromSpawn(e) && serviceOf(e) === undefined && !(e.kind === 'partition' && e.between);
const delivers = (e: FaultEvent): e is Extract<FaultEvent, { kind: 'signal' | 'race' | 'storm' }> => e.kind === 'signal' || e.kind === 'race' || e.kind === 'storm';

/**
 * One mutation of `base`, drawn with `rand`: an event's time shifted by a few fine steps (a fifth of the step) or a
 * few steps; moved to just after a line its trial saw within two steps of it (on a 1 ms grid: finer near the observed
 * event); timed from a neighbouring line (`after: {log, nth}`, so it replays and shrinks); a second signal a few steps
 * after it; or its signal changed for another the space holds that the contract expects the same of. An event with a
 * line within two steps moves to it or is anchored at it half the time. Undefined when
 * the drawn mutation does not apply, or leaves the fault space (`withinSpace`).
 */
export function mutate(base: MutationBase, rand: Random, space: MutationSpace): { schedule: Schedule; kind: MutationKind } | undefined {
  // Under a stop model only the faults the target must survive move: the stop and the signal after it keep their order.
  const survivable = (e: FaultEvent) => e.kind !== 'stop' && !(e.kind === 'signal' && space.terminating.includes(e.signal)) && e.kind !== 'race';
  const targets = base.schedule.map((e, i) => ({ e, i })).filter(({ e }) => movable(e) && (!space.drawsStop || survivable(e)));
  if (targets.length === 0) return undefined;
  const { e, i } = pick(rand, targets);
  const kinds: MutationKind[] = space.drawsStop ? ['shift', 'shift-far', 'other-signal'] : ['shift', 'shift-far', 'to-line', 'anchor', 'second-signal', 'other-signal'];
  // Near a line the target printed, half the moves go to it: a window a line announces opens right after it.
  const nearLine = !space.drawsStop && linesNear(e, base.lines, 2 * space.step).length > 0 && rand() < 0.5;
  const kind = nearLine ? pick(rand, ['to-line', 'anchor'] as const) : pick(rand, kinds);
  const moved = MOVES[kind](e, rand, space, base.lines, base.schedule);
  if (!moved) return undefined;
  const schedule = [...base.schedule.slice(0, i), ...moved, ...base.schedule.slice(i + 1)];
  return withinSpace(schedule, space) && JSON.stringify(schedule) !== JSON.stringify(base.schedule) ? { schedule, kind } : undefined;
}

type Move = (e: FaultEvent, rand: Random, space: MutationSpace, lines: readonly ObservedLine[], schedule: Schedule) => FaultEvent[] | undefined;

const fineOf = (space: MutationSpace) => Math.max(1, Math.round(space.step / FINE_PARTS));
const shifted = (e: FaultEvent, by: number): FaultEvent => ({ ...e, at: Math.max(0, e.at + by) });

/** The lines within `reach` ms of an event timed from readiness, nearest first. */
const linesNear = (e: FaultEvent, lines: readonly ObservedLine[], reach: number) =>
  anchorOf(e) ? [] : lines.filter((l) => Math.abs(l.atMs - e.at) <= reach).sort((a, b) => Math.abs(a.atMs - e.at) - Math.abs(b.atMs - e.at));

const MOVES: Record<MutationKind, Move> = {
  shift: (e, rand, space) => [shifted(e, (rand() < 0.5 ? -1 : 1) * between(rand, 1, 4) * fineOf(space))],
  'shift-far': (e, rand, space) => [shifted(e, (rand() < 0.5 ? -1 : 1) * between(rand, 1, 8) * space.step)],
  'to-line': (e, rand, space, lines) => {
    const near = linesNear(e, lines, 2 * space.step);
    if (!near.length) return undefined;
    const line = pick(rand, near.slice(0, 3));
    return [{ ...e, at: Math.round(line.atMs) + between(rand, 0, 2 * fineOf(space)) }];
  },
  anchor: (e, rand, space, lines) => {
    if (!delivers(e)) return undefined;
    const anchor = anchorOf(e);
    if (anchor) {
      // The neighbouring occurrence of what it is timed from: the line's, the write's or the request's count.
      const step = pick(rand, [-1, 1]);
      const after = isRequestAnchor(anchor) ? { ...anchor, request: Math.max(1, anchor.request + step) } : { ...anchor, nth: Math.max(1, anchor.nth + step) };
      return [{ ...e, at: between(rand, 0, 4 * fineOf(space)), after }];
    }
    // A line before the event, or just after it: the window the line announces may open at once.
    const near = linesNear(e, lines, 4 * space.step).filter((l) => l.atMs <= e.at + space.step);
    if (!near.length) return undefined;
    const line = pick(rand, near.slice(0, 3));
    const at = Math.max(0, Math.min(4 * space.step, Math.round(e.at - line.atMs))) + pick(rand, [0, between(rand, 0, 2 * fineOf(space))]);
    // It waits for its line a little past when the line came (8 steps), not the whole horizon: a line that does not
    // come (another count of it, a target that died first) costs that much, not a trial of horizon_max.
    const within = Math.min(space.horizonMax, Math.ceil(line.atMs / space.step + 8) * space.step);
    return [{ ...e, at, after: { log: line.log, nth: line.nth, within } }];
  },
  'second-signal': (e, rand, space, _lines, schedule) => {
    if (schedule.length >= space.maxEvents || !delivers(e)) return undefined;
    const signal = pick(rand, space.terminating.length ? space.terminating : space.signals);
    const anchor = anchorOf(e);
    const second: FaultEvent = { at: e.at + between(rand, 1, 6) * space.step, ...(anchor ? { after: anchor } : {}), kind: 'signal', signal, to: e.to };
    return [e, second];
  },
  'other-signal': (e, rand, space) => {
    if (e.kind === 'signal') {
      const same = space.terminating.includes(e.signal);
      const others = space.signals.filter((s) => s !== e.signal && space.terminating.includes(s) === same);
      return others.length ? [{ ...e, signal: pick(rand, others) }] : undefined;
    }
    if (e.kind === 'race') {
      const k = between(rand, 0, e.signals.length - 1);
      const others = space.terminating.filter((s) => !e.signals.includes(s));
      return others.length ? [{ ...e, signals: e.signals.map((s, j) => (j === k ? pick(rand, others) : s)) }] : undefined;
    }
    return undefined;
  },
};

/**
 * Whether a schedule stays in the fault space: one to `maxEvents` events; the target's times from 0 to `horizonMax`;
 * its signals among the space's, each race's all terminating and distinct; its recipients among `faults.to`.
 */
export function withinSpace(schedule: Schedule, space: MutationSpace): boolean {
  if (schedule.length === 0 || schedule.length > space.maxEvents) return false;
  return schedule.every((e) => {
    if (!movable(e)) return true; // left as drawn
    if (e.at < 0 || e.at > space.horizonMax) return false;
    if (!delivers(e)) return true;
    if (!space.recipients.includes(e.to)) return false;
    if (e.kind === 'signal') return space.signals.includes(e.signal);
    if (e.kind === 'race') return new Set(e.signals).size === e.signals.length && e.signals.every((s) => space.terminating.includes(s));
    return e.signals.every((s) => space.signals.includes(s));
  });
}
