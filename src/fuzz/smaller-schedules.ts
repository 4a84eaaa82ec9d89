import { anchorOf, type FaultEvent, type Schedule } from '../schedule/event.js';
import { LASTING_MS } from './neighbourhood.js';

// How a schedule drawn from the corpus shrinks (pure). fast-check shrinks what it generated through the context of
// its draw; a mutated schedule has none, so it gets this shrinker, which goes the same way the schedule arbitrary's
// does (src/fuzz/arbitrary.ts): fewer events, milder kinds, an anchor dropped, shorter faults, coarser and earlier times.

/**
 * The schedules one step smaller than `schedule`, the most promising first: each event left out (while one remains);
 * each event made milder (a race its first signal, a storm a plain signal or half as many, an anchored signal timed
 * from readiness (the same `at`), a pause or partition half as long); each time moved towards readiness (`earlierTimes`).
 */
export function smallerSchedules(schedule: Schedule, step: number): Schedule[] {
  const out: Schedule[] = [];
  const replace = (i: number, e: FaultEvent) => schedule.map((x, j) => (j === i ? e : x));
  if (schedule.length > 1) for (let i = 0; i < schedule.length; i++) out.push(schedule.filter((_, j) => j !== i));
  for (const [i, e] of schedule.entries()) for (const milder of milderEvents(e)) out.push(replace(i, milder));
  for (const [i, e] of schedule.entries()) for (const at of earlierTimes(e.at, step)) out.push(replace(i, { ...e, at }));
  const seen = new Set<string>([JSON.stringify(schedule)]);
  return out.filter((s) => !seen.has(JSON.stringify(s)) && seen.add(JSON.stringify(s)));
}

function milderEvents(e: FaultEvent): FaultEvent[] {
  const out: FaultEvent[] = [];
  const anchor = anchorOf(e);
  if (anchor && (e.kind === 'signal' || e.kind === 'race' || e.kind === 'storm')) {
    const { after: _after, ...plain } = e;
    out.push(plain as FaultEvent);
  }
  const timing = { at: e.at, ...(anchor ? { after: anchor } : {}) };
  if (e.kind === 'race') out.push({ ...timing, kind: 'signal', signal: e.signals[0]!, to: e.to });
  if (e.kind === 'storm') {
    out.push({ ...timing, kind: 'signal', signal: e.signals[0]!, to: e.to });
    if (e.count > 2) out.push({ ...e, count: Math.max(2, Math.floor(e.count / 2)) });
  }
  if ((e.kind === 'pause' || e.kind === 'partition') && e.duration > LASTING_MS.min) {
    out.push({ ...e, duration: Math.max(LASTING_MS.min, Math.round(e.duration / 2 / LASTING_MS.grid) * LASTING_MS.grid) });
  }
  return out;
}

/**
 * Earlier times than `at` (whole ms), coarse ones first: 0; the grid point at or below it; the grid points halfway,
 * three quarters, seven eighths … of the way from 0 to it; then, off the grid, halfway, three quarters … of the way from
 * that grid point to it. The halving walks to a failure boundary in a few steps, as fast-check's integers do.
 */
function earlierTimes(at: number, step: number): number[] {
  if (at <= 0) return [];
  const steps = Math.floor(at / step);
  const onGrid = [0, steps * step];
  for (let d = Math.floor(steps / 2); d > 0; d = Math.floor(d / 2)) onGrid.push((steps - d) * step);
  const fine: number[] = [];
  for (let d = Math.ceil((at - steps * step) / 2); d > 0 && d < at - steps * step; d = Math.floor(d / 2)) fine.push(Math.floor(at - d));
  return [...new Set([...onGrid, ...fine])].filter((t) => t >= 0 && t < at);
}
