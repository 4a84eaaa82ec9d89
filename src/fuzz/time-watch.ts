import fc from 'fast-check';
import type { HorizonSummary } from '../report/fuzz-report.js';
import type { Schedule } from '../schedule/event.js';
import type { FaultSpace } from '../scenario/types.js';
import { anchorsOf, fileAnchorsOf, latestActivity, rhythmOf, type Activity } from './activity.js';
import { timeSpaceOf, type Seen, type TimeSpace } from './time-space.js';
import type { TrialOutcome } from './trial-fn.js';

/**
 * A campaign's watch on its target's time. Trials end in any order (run ahead, in parallel), so what each shows waits
 * under its schedule until fast-check has judged that schedule; the time space generation reads changes only then.
 * The schedule of run i is therefore drawn from the seed and the trials of runs before i, whatever `--parallel` is.
 */
export class TimeWatch {
  private readonly pending = new Map<string, { latest?: Activity; anchors: string[]; files: string[]; rhythm: Activity[] }>();
  private seen: Seen = { judged: 0 };
  private current: TimeSpace;
  /** The furthest time drawn from so far (a trial's worst case counts it). */
  private reach: number;

  constructor(private readonly space: Pick<FaultSpace, 'horizon' | 'horizonMax' | 'step'>) {
    this.current = timeSpaceOf(space, this.seen);
    this.reach = this.current.scout;
  }

  /** Where times are drawn now. */
  get times(): TimeSpace {
    return this.current;
  }

  /** The furthest time any schedule so far may hold (ms after readiness). */
  get reachMs(): number {
    return this.reach;
  }

  /**
   * Where times will be drawn for exploring's run `run` (examples first) if nothing more is seen before it: scouting
   * begins at a run known in advance, so schedules drawn ahead for later runs need not be drawn again when it does.
   */
  forRun(run: number): TimeSpace {
    return timeSpaceOf(this.space, { ...this.seen, judged: run });
  }

  /** What the time spaces of runs to come depend on, besides their number (a key: drawn ahead again when it changes). */
  get seenKey(): string {
    return JSON.stringify(this.forRun(Number.MAX_SAFE_INTEGER));
  }

  /** A trial of `schedule` ended: what its record shows of the target's life waits until the schedule is judged. */
  trialEnded(schedule: Schedule, outcome: TrialOutcome): void {
    if (outcome.kind === 'infrastructure' || !outcome.record) return;
    const key = JSON.stringify(schedule);
    const known = this.pending.get(key);
    const latest = later(known?.latest, latestActivity(outcome.record));
    const rhythm = firstOfKinds([...(known?.rhythm ?? []), ...rhythmOf(outcome.record)]);
    const anchors = [...new Set([...(known?.anchors ?? []), ...anchorsOf(outcome.record)])];
    const files = [...new Set([...(known?.files ?? []), ...fileAnchorsOf(outcome.record)])];
    this.pending.set(key, { ...(latest ? { latest } : {}), anchors, files, rhythm });
  }

  /**
   * Exploring judged `schedule` (fast-check's next run): what its trials showed counts from the next draw on, and so do
   * the failing schedules met so far (`failing`, in the order met).
   */
  judged(schedule: Schedule, failing: Schedule[] = []): void {
    const key = JSON.stringify(schedule);
    const observed = this.pending.get(key);
    const latest = later(this.seen.latest, observed?.latest);
    const anchors = [...new Set([...(this.seen.anchors ?? []), ...(observed?.anchors ?? [])])];
    const files = [...new Set([...(this.seen.files ?? []), ...(observed?.files ?? [])])];
    this.pending.delete(key);
    const rhythm = firstOfKinds([...(this.seen.rhythm ?? []), ...(observed?.rhythm ?? [])]);
    this.seen = { judged: this.seen.judged + 1, ...(latest ? { latest } : {}), failing, anchors, files, rhythm };
    this.current = timeSpaceOf(this.space, this.seen);
    this.reach = Math.max(this.reach, this.current.scout);
  }

  /** For the report: where the horizon started and ended, how far it may grow, and what grew it. */
  summary(): HorizonSummary {
    const { horizon, scout } = this.current;
    const grew = horizon > this.space.horizon && this.seen.latest;
    return { initialMs: this.space.horizon, finalMs: horizon, maxMs: this.space.horizonMax, scoutMs: scout, ...(grew ? { grewFor: this.seen.latest! } : {}) };
  }
}

/** Each kind once, as first met in the list (the order of judging decides), at most MAX_KINDS of them. */
function firstOfKinds(list: Activity[]): Activity[] {
  const first = new Map<string, Activity>();
  for (const a of list) if (!first.has(a.what) && first.size < MAX_KINDS) first.set(a.what, a);
  return [...first.values()];
}
const MAX_KINDS = 100;

/** The later of two activities (the first on a tie: the order of judging decides). */
const later = (a: Activity | undefined, b: Activity | undefined): Activity | undefined => (!a ? b : !b || b.atMs <= a.atMs ? a : b);

/**
 * The values fc.check's generated runs 0…count-1 hold for `seed` (fc.sample with the same seed draws the same: each run
 * has a random stream of its own), each drawn in the time space `timesOf` gives it.
 */
export function sampleRuns<T>(arbitraryFor: (times: TimeSpace) => fc.Arbitrary<T>, seed: number, count: number, timesOf: (run: number) => TimeSpace): T[] {
  const bySpace = new Map<string, T[]>();
  return Array.from({ length: count }, (_, j) => {
    const times = timesOf(j);
    const key = JSON.stringify(times);
    if (!bySpace.has(key)) bySpace.set(key, fc.sample(arbitraryFor(times), { seed, numRuns: count }));
    return bySpace.get(key)![j]!;
  });
}
