import type { SignalName } from '../signals.js';
import type { Budget } from './budget.js';
import { minimalOf, type CutReason, type Phase, type Shrinking } from './property-state.js';
import { withoutSecondSignals } from './second-signals.js';

/** What decides when the property's phases end. */
export interface CutSettings {
  /** Shrinking ends (keeping the best schedule so far) after this many trials or milliseconds. */
  shrinkTrials: number;
  shrinkMs: number;
  now?: () => number;
  /** The campaign's deadline and trial timing: no trial or batch starts that is not expected to end in time. */
  budget?: Budget;
  /** When each phase must be done by (on the budget's clock); default: the budget's deadline. */
  until?: (phase: Phase) => number;
  /**
   * The signals that stop the target. With it, the last share of the shrink budget is kept to try the minimal
   * schedule without its second terminating signal (a race made a plain signal, a later signal dropped).
   */
  isTerminating?: (signal: SignalName) => boolean;
  /** That last share, as a fraction of the time from the first failure to the end of shrinking. Default 0.25. */
  lastShare?: number;
}

/**
 * Every rule that cuts a phase short, in one place: a trial (or a batch run at once) starts only when it is expected
 * to end by its phase's end, and shrinking also ends after its own trials and time. A rule answers why its phase
 * must stop now, or undefined; the property records the answer in its state (`cuts`).
 */
export class CutRules {
  constructor(private readonly settings: CutSettings) {}

  /** Exploring a new schedule: its trial and its estimate must end before exploring's end. */
  explore(): CutReason | undefined {
    return this.fits('explore') ? undefined : 'deadline';
  }

  /** The estimate of a first failure: cut when fewer than the planned re-runs fitted before the estimate's end. */
  estimate(runs: number, planned: number): CutReason | undefined {
    return runs < planned ? 'deadline' : undefined;
  }

  /** fast-check's shrink candidates: they stop at the shrink budget (trials, time) or when no trial ends by `until`. */
  shrink(state: Shrinking, until: number): CutReason | undefined {
    if (state.counts.shrinkTrials >= this.settings.shrinkTrials) return 'shrink-trials';
    if (this.now() - state.firstFailureAt >= this.settings.shrinkMs) return 'shrink-time';
    return this.fitsAt(until) ? undefined : 'deadline';
  }

  /** A shrink candidate's next batch of clean runs: it must end by `until`. */
  batch(until: number): CutReason | undefined {
    return this.fitsAt(until) ? undefined : 'deadline';
  }

  /** When fast-check's candidates must stop: the end of shrinking, less the last share while a second signal is left to drop. */
  shrinkCutoff(state: Shrinking): number {
    const end = this.until('shrink');
    const { isTerminating } = this.settings;
    if (!isTerminating || withoutSecondSignals(minimalOf(state).schedule, isTerminating).length === 0) return end;
    const start = state.firstFailureAt;
    return end - Math.max(0, end - start) * (this.settings.lastShare ?? 0.25);
  }

  /** The end of a phase: the caller's rule, else the budget's deadline, else none. */
  until(phase: Phase): number {
    return this.settings.until?.(phase) ?? this.settings.budget?.deadline ?? Infinity;
  }

  fits(phase: Phase): boolean {
    return this.fitsAt(this.until(phase));
  }

  /** A trial started now is expected to end by `until` (by the longest trial so far). */
  fitsAt(until: number): boolean {
    if (until === Infinity) return true;
    return this.now() + (this.settings.budget?.longestTrialMs ?? 0) <= until;
  }

  now(): number {
    return (this.settings.now ?? (this.settings.budget ? () => this.settings.budget!.now() : Date.now))();
  }
}
