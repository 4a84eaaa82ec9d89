import type { Schedule } from '../schedule/event.js';
import type { OracleResult } from '../oracles/verdict.js';
import type { Finding } from '../report/fuzz-report.js';
import type { TrialRecord } from '../trial/record.js';

// The flaky-aware property's state (src/fuzz/flaky.ts) as one value: a tagged union by phase, and the pure
// transitions between its values. The property replaces its state, never edits it, so a value once read stays true.

/** The phases a property's time runs out in, each with its own end (`FlakySettings.until`). */
export type Phase = 'explore' | 'estimate' | 'shrink';

/**
 * Why a phase was cut short: no trial (or batch) started now would end before the phase's end, or shrinking spent
 * its own trials or time. An interrupt is not a cut (the campaign stops, and its report says `interrupted`).
 */
export type CutReason = 'deadline' | 'shrink-trials' | 'shrink-time';

/** The phases cut short so far, each with the reason it was first cut. */
export type Cuts = Readonly<Partial<Record<Phase, CutReason>>>;

/** Trials run (retries of infrastructure errors included), infrastructure errors met, trials spent on shrink candidates. */
export interface Counts {
  readonly trials: number;
  readonly infrastructureErrors: number;
  readonly shrinkTrials: number;
}

/** A schedule accepted as failing, with what failed and the trial that showed it. */
export interface FailingStep {
  schedule: Schedule;
  failures: OracleResult[];
  record?: TrialRecord;
}

/** The failure being shrunk: its signature, its estimated failure rate, and the clean runs a candidate needs to hold. */
export interface Target {
  signature: string;
  rate: number;
  cleanRuns: number;
}

/** What every phase carries on. */
interface Common {
  /** Failures met, in order: confirmed or not, any signature. */
  readonly findings: readonly Finding[];
  readonly counts: Counts;
  readonly cuts: Cuts;
}

/** No failure confirmed: new schedules are tried. */
export interface Exploring extends Common {
  readonly phase: 'exploring';
}

/** A first failure, re-run to estimate how often it fails; lasts while its re-runs do, then exploring or shrinking. */
export interface Estimating extends Common {
  readonly phase: 'estimating';
  readonly signature: string;
  readonly first: FailingStep;
}

/** A confirmed failure, shrunk. */
export interface Shrinking extends Common {
  readonly phase: 'shrinking';
  readonly target: Target;
  /** Every schedule accepted as failing: the shrink path, from the first confirmed failure to the smallest. */
  readonly accepted: readonly [FailingStep, ...FailingStep[]];
  /** When the failure was confirmed (ms on the property's clock): shrinking and its budget start here. */
  readonly firstFailureAt: number;
  /** The last share of shrinking was spent trying to drop the second terminating signal. */
  readonly secondSignalTried: boolean;
}

export type PropertyState = Exploring | Estimating | Shrinking;

export const initialState = (): Exploring => ({ phase: 'exploring', findings: [], counts: { trials: 0, infrastructureErrors: 0, shrinkTrials: 0 }, cuts: {} });

const common = ({ findings, counts, cuts }: PropertyState): Common => ({ findings, counts, cuts });

export const exploring = (state: PropertyState): Exploring => ({ ...common(state), phase: 'exploring' });

export const estimating = (state: PropertyState, signature: string, first: FailingStep): Estimating => ({ ...common(state), phase: 'estimating', signature, first });

export const shrinking = (state: PropertyState, target: Target, first: FailingStep, at: number): Shrinking => ({
  ...common(state),
  phase: 'shrinking',
  target,
  accepted: [first],
  firstFailureAt: at,
  secondSignalTried: false,
});

/** A smaller schedule that fails: the new end of the shrink path. */
export const accept = (state: Shrinking, step: FailingStep): Shrinking => ({ ...state, accepted: [...state.accepted, step] });

export const counted = <S extends PropertyState>(state: S, counter: keyof Counts, n = 1): S => ({ ...state, counts: { ...state.counts, [counter]: state.counts[counter] + n } });

export const found = <S extends PropertyState>(state: S, finding: Finding): S => ({ ...state, findings: [...state.findings, finding] });

/** `phase` cut short for `reason`; a phase cut already keeps its first reason. */
export const cutShort = <S extends PropertyState>(state: S, phase: Phase, reason: CutReason): S => (state.cuts[phase] ? state : { ...state, cuts: { ...state.cuts, [phase]: reason } });

export const shrinkingOf = (state: PropertyState): Shrinking | undefined => (state.phase === 'shrinking' ? state : undefined);

/** The schedules accepted as failing so far (none before shrinking). */
export const shrinkPath = (state: PropertyState): readonly FailingStep[] => (state.phase === 'shrinking' ? state.accepted : []);

/** The smallest failing schedule so far, the first confirmed one, and the steps from one to the other. */
export const minimalOf = (state: Shrinking): FailingStep => state.accepted[state.accepted.length - 1]!;
export const originalOf = (state: Shrinking): Schedule => state.accepted[0].schedule;
export const shrinkStepsOf = (state: Shrinking): number => state.accepted.length - 1;
