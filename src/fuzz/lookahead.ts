import type { Schedule } from '../schedule/event.js';
import type { Ahead } from './ahead.js';
import type { TrialOutcome } from './trial-fn.js';

/** How far past the schedule being judged trials are started: enough to keep `width` busy, few to waste on a failure. */
const DISTANCE_PER_WIDTH = 2;

export interface LookaheadOptions {
  /** Trials run at once while exploring. */
  width: number;
  /**
   * The first `count` schedules fast-check will ask for, run by run (examples first, then generated from the seed),
   * as they stand now (fewer when the campaign's `runs` holds fewer): a list the campaign draws lazily, and may draw
   * again when what generation depends on (the start-up window) changes.
   */
  upcoming: (count: number) => readonly Schedule[];
  /** Runs a first trial (timed by the budget, counted by the caller). */
  trial: (schedule: Schedule) => Promise<TrialOutcome>;
  /** Whether another trial may start now (the exploring deadline, an interrupt). */
  mayStart: () => boolean;
}

/**
 * Parallel exploration and shrinking with fast-check's order kept. fast-check judges one schedule at a time; this
 * runs the first trials of the schedules it will ask for next, `width` at once, and hands each outcome over only
 * when fast-check asks for that schedule. Exploring knows what comes next from the seed (`upcoming`); shrinking
 * from the candidates fast-check's shrinker has lined up (`prefetch`). Decisions are therefore made in fast-check's
 * order from the same outcomes whatever the width: the same seed gives the same schedules, the same first failure
 * and the same shrink path at `--parallel 1` and 4 (for a target whose failures do not depend on the load). An
 * outcome fast-check never asks for (exploring ended at a failure, a candidate after the one that failed) is run
 * but unused.
 */
export class Lookahead implements Ahead {
  private readonly started = new Map<string, Promise<TrialOutcome>>();
  private readonly inFlight = new Set<Promise<TrialOutcome>>();
  /** The schedules exploring has taken (fast-check asked for them, so the property judged them). */
  private readonly taken = new Set<string>();
  /** The run fast-check is at (the index in `upcoming`). */
  private at = -1;
  private held = false;
  private stopped = false;
  private exploring = true;
  /** Trials run ahead whose outcome nobody took. */
  unused = 0;

  constructor(private readonly options: LookaheadOptions) {}

  /** The first trial of `schedule`, exploring's run `run`: started ahead, or now. Keeps the trials after it going. */
  take(schedule: Schedule, run: number): Promise<TrialOutcome> {
    this.at = Math.max(this.at, run);
    const key = JSON.stringify(schedule);
    this.taken.add(key);
    const outcome = this.takenAhead(key) ?? this.start(schedule);
    this.fill();
    return outcome;
  }

  /** The first trial of a shrink candidate if it was started ahead (the caller runs it otherwise). */
  takeStarted(schedule: Schedule): Promise<TrialOutcome> | undefined {
    return this.takenAhead(JSON.stringify(schedule));
  }

  /**
   * Shrinking: starts the first trials of `candidates` (fast-check's next ones, in its order) while fewer than
   * `width` run; `fresh` leaves out those already judged.
   */
  prefetch(candidates: readonly Schedule[], fresh: (schedule: Schedule) => boolean): void {
    for (const schedule of candidates) {
      const key = JSON.stringify(schedule);
      if (this.inFlight.size >= this.options.width || this.held || !this.options.mayStart()) return;
      if (!this.started.has(key) && fresh(schedule)) this.started.set(key, this.start(schedule));
    }
  }

  /**
   * Starts nothing more until `release` (a first failure's estimate goes first). What runs ahead runs on: its
   * outcomes stay for fast-check if the failure is not confirmed.
   */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    this.fill();
  }

  /**
   * Exploring is over (a confirmed failure): what it ran ahead is dropped (counted as unused once it ends, awaited by
   * `stop`), and shrinking may prefetch.
   */
  endExploring(): void {
    this.exploring = false;
    this.held = false;
    this.unused += this.started.size;
    this.started.clear();
  }

  /** Starts nothing more, ever; resolves once every trial it started has ended (run ahead and unused ones too). */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.unused += this.started.size;
    this.started.clear();
  }

  private takenAhead(key: string): Promise<TrialOutcome> | undefined {
    const ahead = this.started.get(key);
    if (ahead) this.started.delete(key);
    return ahead;
  }

  private start(schedule: Schedule): Promise<TrialOutcome> {
    const outcome = this.options.trial(schedule);
    this.inFlight.add(outcome);
    void outcome.finally(() => {
      this.inFlight.delete(outcome);
      this.fill();
    }).catch(() => undefined);
    return outcome;
  }

  /** Starts the next schedules in run order while fewer than `width` trials run. */
  private fill(): void {
    const { width, upcoming, mayStart } = this.options;
    if (this.held || this.stopped || !this.exploring || width <= 1) return;
    const list = upcoming(this.at + 1 + width * DISTANCE_PER_WIDTH);
    const last = Math.min(list.length - 1, this.at + width * DISTANCE_PER_WIDTH);
    for (let i = this.at + 1; i <= last && this.inFlight.size < width; i++) {
      const key = JSON.stringify(list[i]);
      // Already judged: fast-check repeats small values, and the property caches them.
      if (this.started.has(key) || this.taken.has(key)) continue;
      if (!mayStart()) return;
      this.started.set(key, this.start(list[i]!));
    }
  }
}
