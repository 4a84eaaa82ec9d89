import type { TrialDuration } from '../report/fuzz-report.js';
import type { Scenario } from '../scenario/types.js';
import { stopModelOf } from '../stop-models/registry.js';

/** Start-up, the workload's settle wait (2 s) and teardown, beyond what the scenario's own durations say. */
const TRIAL_OVERHEAD_MS = 3000;
/** The longest pause or partition the fault space generates (40 × 50 ms), and the longest storm (20 × 25 ms). */
const LONGEST_PAUSE_MS = 2000;
const LONGEST_STORM_MS = 500;

/**
 * The longest one trial of a scenario's fault space can take: the ready timeout, the horizon (or the furthest time a
 * campaign drew from, `horizonMs`: it grows, time-space.ts) plus the longest event, the longest settle of an alive
 * check, the longest wait for an exit (the stop model's sequence or `within`), and a little for start-up and teardown.
 * A campaign ends by its budget plus at most this.
 */
export function worstCaseTrialMs(scenario: Pick<Scenario, 'target' | 'expect' | 'faults'> & Partial<Pick<Scenario, 'stop'>>, horizonMs = scenario.faults.horizon): number {
  const expectations = Object.values(scenario.expect);
  const stop = scenario.stop ? stopModelOf(scenario.stop).fuzz(scenario.stop).longestMs : scenario.target.stopGracePeriod;
  const exitWait = Math.max(stop, ...expectations.map((e) => (e?.kind === 'exit' ? e.within : 0)));
  const settle = Math.max(0, ...expectations.map((e) => (e?.kind === 'alive' ? e.settle : 0)));
  const { faults } = scenario;
  const tail = Math.max(faults.storms ? LONGEST_STORM_MS : 0, faults.pauses || faults.partitions ? LONGEST_PAUSE_MS : 0);
  return scenario.target.ready.timeout + horizonMs + tail + settle + exitWait + TRIAL_OVERHEAD_MS;
}

/**
 * One deadline for every phase of a campaign (explore, estimate, shrink, walk back, confirm). A trial, or a batch
 * run at once, is started only when it is expected to end in time: by the slowest trial seen so far. Every trial's
 * duration is kept (the report lists them, and a cut names the slowest).
 */
export class Budget {
  readonly deadline: number;
  /** Every trial that ended, in the order they ended, numbered in the order they started. */
  readonly trials: TrialDuration[] = [];
  /** When each trial still running started, by its number. */
  private readonly running = new Map<number, number>();
  private started = 0;
  private longestEndedMs = 0;

  constructor(
    readonly startedAt: number,
    readonly budgetMs: number,
    private readonly clock: () => number = Date.now,
    /** What the campaign is doing when a trial starts (the phase a trial's duration is listed under). */
    private readonly phase: () => TrialDuration['phase'] = () => 'exploring',
  ) {
    this.deadline = startedAt + budgetMs;
  }

  now(): number {
    return this.clock();
  }

  /**
   * The slowest trial seen (ms): the longest that ended, or one still running that has already taken longer (a slow
   * trial run ahead must not go unseen until it ends); 0 before the first, which therefore always starts.
   */
  get longestTrialMs(): number {
    const now = this.now();
    let longest = this.longestEndedMs;
    for (const since of this.running.values()) longest = Math.max(longest, now - since);
    return longest;
  }

  /** The slowest trial that ended, to name when the budget cut something. */
  slowest(): TrialDuration | undefined {
    return this.trials.reduce<TrialDuration | undefined>((a, t) => (!a || t.ms > a.ms ? t : a), undefined);
  }

  /** A trial (or a batch of them at once) started now is expected to end by `until`. */
  fits(until: number = this.deadline): boolean {
    return this.now() + this.longestTrialMs <= until;
  }

  /** Expected time of `runs` trials run `parallel` at a time. */
  batchesMs(runs: number, parallel: number): number {
    return Math.ceil(runs / Math.max(1, parallel)) * this.longestTrialMs;
  }

  /**
   * What shrinking leaves for confirmation: the batches of `runs` it needs, at most `share` of the budget, and never
   * less than one batch of the slowest trial seen (a share smaller than one slow trial would confirm nothing).
   */
  confirmReserveMs(runs: number, parallel: number, share: number): number {
    return Math.max(this.longestTrialMs, Math.min(this.budgetMs * share, this.batchesMs(runs, parallel)));
  }

  /** Runs one trial and learns its duration; `phase` says what it is for, when the caller knows better than `phase()`. */
  async timed<T>(trial: () => Promise<T>, phase: TrialDuration['phase'] = this.phase()): Promise<T> {
    const n = ++this.started;
    const started = this.now();
    this.running.set(n, started);
    try {
      return await trial();
    } finally {
      this.running.delete(n);
      const ms = this.now() - started;
      this.longestEndedMs = Math.max(this.longestEndedMs, ms);
      this.trials.push({ n, phase, ms });
    }
  }
}
