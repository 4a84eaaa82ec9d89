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
 * run at once, is started only when it is expected to end in time: by the longest trial seen so far.
 */
export class Budget {
  readonly deadline: number;
  /** The longest trial so far (ms); 0 before the first, which therefore always starts. */
  longestTrialMs = 0;

  constructor(
    readonly startedAt: number,
    readonly budgetMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.deadline = startedAt + budgetMs;
  }

  now(): number {
    return this.clock();
  }

  /** A trial (or a batch of them at once) started now is expected to end by `until`. */
  fits(until: number = this.deadline): boolean {
    return this.now() + this.longestTrialMs <= until;
  }

  /** Expected time of `runs` trials run `parallel` at a time. */
  batchesMs(runs: number, parallel: number): number {
    return Math.ceil(runs / Math.max(1, parallel)) * this.longestTrialMs;
  }

  /** Runs one trial and learns its duration. */
  async timed<T>(trial: () => Promise<T>): Promise<T> {
    const started = this.now();
    try {
      return await trial();
    } finally {
      this.longestTrialMs = Math.max(this.longestTrialMs, this.now() - started);
    }
  }
}
