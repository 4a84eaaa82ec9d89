import type { Schedule } from '../schedule/event.js';
import type { TrialOutcome } from './trial-fn.js';

/** Where exploring takes a schedule's first trial from when it runs trials ahead (src/fuzz/lookahead.ts). */
export interface Ahead {
  /** The first trial of `schedule`, fast-check's run `run`. */
  take(schedule: Schedule, run: number): Promise<TrialOutcome>;
  /** A shrink candidate's first trial, if it was started ahead. */
  takeStarted(schedule: Schedule): Promise<TrialOutcome> | undefined;
  /** Nothing new starts until `release` (a first failure's estimate goes first). */
  hold(): void;
  release(): void;
  /** Exploring is over (shrinking starts): what it ran ahead is dropped. */
  endExploring(): void;
}
