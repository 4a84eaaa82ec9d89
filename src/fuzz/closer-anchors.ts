import { anchorOf, FILE_BURST_MS, fromSpawn, isFileAnchor, isLineAnchor, serviceOf, type Anchor, type FaultEvent, type Schedule } from '../schedule/event.js';
import type { PlayedEvent } from '../schedule/played.js';
import type { TrialRecord } from '../trial/record.js';
import { observedLines } from './novelty.js';

// Closer anchors (pure): a failing trial's signal re-timed from the write or line that came nearest before it landed.
// A window a request's phase opens starts a variable few ms after the request was sent (the target reads it, works,
// then opens the window), and one timed from readiness drifts with everything before it; the write or line the target
// makes as it opens the window is the closest clock there is. Measured 2026-12-06 on node-commit-window, 20 runs
// each, alternated: 2, 4 and 6 ms after the order was sent failed 10/20 (9 more lost the TERM), 13/20 and 14/20; 0, 1
// and 2 ms after the write of orders.log 20/20 each (docs/benchmarks.md).

/** What a failing trial showed: where the schedule's events landed, the writes and the lines before them. */
export type Observed = Pick<TrialRecord, 'events' | 'exit' | 'logs'> & Partial<Pick<TrialRecord, 'writes' | 'exitedInStartup'>>;

/** Where re-timed events may go: the grid, the horizon events are drawn within, the furthest time. */
export interface CloserSpace {
  step: number;
  horizon: number;
  horizonMax: number;
}

/** A write or line an event may be timed from: the anchor, and when it came (ms after readiness). */
interface Mark {
  atMs: number;
  after: Anchor;
}

/** An observed event further than this before a signal is not its window's opening: two steps of the grid. */
const reachOf = (space: CloserSpace) => 2 * space.step;

/**
 * Schedules one move away from `schedule`: each signal or race of the target that landed in the failing trial
 * `observed` at or before the exit, timed instead from each of the two writes and the line read nearest to it (from
 * two steps before it up to the exit), at 0 ms, 1 ms, and as long after it as it landed. The fuzzer draws such
 * anchors, so each is a schedule of the fault space; what it is already timed from is left out.
 */
export function closerAnchors(schedule: Schedule, observed: Observed, space: CloserSpace): Schedule[] {
  if (observed.exitedInStartup) return [];
  const marks = [...writeMarks(observed.writes ?? [], space), ...observedLines(observed, schedule).map((l) => ({ atMs: l.atMs, after: { log: l.log, nth: l.nth, within: withinOf(l.atMs, space) } }))];
  const landed = landings(schedule, observed.events);
  const out: Schedule[] = [];
  for (const [i, e] of schedule.entries()) {
    const d = landed[i];
    if (d === undefined || d > observed.exit.atMs || !retimable(e)) continue;
    // A write read after the signal but before the exit was made before the target died: the watch read it late (the
    // event loop busy at the trial's start: 2.5 ms in one node-commit-window trial), and it may well have come first.
    const near = marks.filter((m) => m.atMs <= Math.max(d, observed.exit.atMs) && d - m.atMs <= reachOf(space)).sort((a, b) => Math.abs(a.atMs - d) - Math.abs(b.atMs - d));
    const nearest = [...near.filter((m) => isFileAnchor(m.after)).slice(0, 2), ...near.filter((m) => isLineAnchor(m.after)).slice(0, 1)];
    for (const m of nearest) {
      for (const at of new Set([0, 1, Math.max(0, Math.floor(d - m.atMs))])) {
        const moved = { ...e, at, after: m.after } as FaultEvent;
        if (sameTiming(moved, e)) continue;
        out.push(schedule.map((x, j) => (j === i ? moved : x)));
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((s) => !seen.has(JSON.stringify(s)) && seen.add(JSON.stringify(s)));
}

/** A signal or race aimed at the target, timed from readiness or an anchor (not from spawn, not a service's). */
const retimable = (e: FaultEvent): boolean => (e.kind === 'signal' || e.kind === 'race') && !fromSpawn(e) && serviceOf(e) === undefined;

const sameTiming = (a: FaultEvent, b: FaultEvent) => a.at === b.at && JSON.stringify(anchorOf(a)) === JSON.stringify(anchorOf(b));

/**
 * How long after readiness an anchor seen at `atMs` is waited for: the horizon, as the fuzzer draws anchors (so the
 * next round's move to the occurrence after it still finds that one), or eight steps past it when that is later.
 */
const withinOf = (atMs: number, space: CloserSpace) => Math.min(space.horizonMax, Math.max(space.horizon, Math.ceil(Math.max(0, atMs) / space.step + 8) * space.step));

/**
 * Each write as the player counts them (src/faults/anchor.ts, writeMatch): per file name, a change less than
 * FILE_BURST_MS after the one before belongs to the same write; the nth write is when its first change came.
 */
export function writeMarks(writes: readonly { atMs: number; name: string }[], space: CloserSpace): Mark[] {
  const last = new Map<string, number>();
  const count = new Map<string, number>();
  const out: Mark[] = [];
  for (const w of writes) {
    if (w.atMs < 0) continue;
    const starts = w.atMs - (last.get(w.name) ?? -Infinity) >= FILE_BURST_MS;
    last.set(w.name, w.atMs);
    if (!starts) continue;
    const nth = (count.get(w.name) ?? 0) + 1;
    count.set(w.name, nth);
    out.push({ atMs: w.atMs, after: { file: w.name, nth, within: withinOf(w.atMs, space) } });
  }
  return out;
}

/**
 * When each event of `schedule` took effect in the trial (undefined: not played, or not found): the played events of
 * the schedule matched in order by kind, what they send and what they were timed from.
 */
export function landings(schedule: Schedule, events: readonly PlayedEvent[]): (number | undefined)[] {
  const played = events.filter((p) => p.origin === 'schedule');
  const used = new Set<number>();
  return schedule.map((e) => {
    const k = played.findIndex((p, j) => !used.has(j) && sameEvent(e, p));
    if (k < 0) return undefined;
    used.add(k);
    return played[k]!.deliveredMs;
  });
}

/** The played event is the scheduled one: the same kind, signals and recipient, timed alike (its `at` as scheduled). */
function sameEvent(e: FaultEvent, p: PlayedEvent): boolean {
  if (e.kind !== p.kind || JSON.stringify(anchorOf(e)) !== JSON.stringify(anchorOf(p))) return false;
  const what = (x: FaultEvent) => JSON.stringify([x.kind === 'signal' ? x.signal : x.kind === 'race' || x.kind === 'storm' ? x.signals : null, 'to' in x ? x.to : null]);
  if (what(e) !== what(p)) return false;
  const at = p.anchorMs !== undefined ? p.scheduledMs - p.anchorMs : p.scheduledMs;
  return Math.abs(at - e.at) < 0.5;
}
