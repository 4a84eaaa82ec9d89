import type { Backend } from '../backends/backend.js';
import { isTerminating } from '../scenario/terminating.js';
import type { Scenario } from '../scenario/types.js';
import { serviceOf, type Schedule } from '../schedule/event.js';
import type { PlayedEvent } from '../schedule/played.js';
import type { SignalName } from '../signals.js';
import type { Stack } from './stack.js';

export interface TrialOptions {
  scenario: Scenario;
  backend: Backend;
  schedule: Schedule;
  runId: string;
  signal?: AbortSignal;
}

/** A promise opened from elsewhere: a phase awaits what a player's hook notes (Promise.withResolvers is Node 22). */
export interface Latch {
  readonly opened: Promise<void>;
  readonly open: () => void;
}

export function latch(): Latch {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * One trial, a single value its phases pass along, each adding the fields it owns: `ReadyTrial` (startup.ts),
 * `PlayingTrial` and `PlayedTrial` (play.ts), `EndedTrial` (ending.ts), `CollectedTrial` (collect.ts), from which
 * build-record.ts builds the record.
 */
export interface TrialState {
  readonly options: TrialOptions;
  /** Started, not yet ready: its disposal is the caller's. */
  readonly stack: Stack;
  readonly dataDir: string;
  /** The first terminating signal to the target, on the monotonic clock (it may land during start-up). */
  terminating?: { signal: SignalName; atMs: number };
  /** Opened when it lands. */
  readonly terminated: Latch;
}

export const trialState = (options: TrialOptions, stack: Stack, dataDir: string): TrialState => ({ options, stack, dataDir, terminated: latch() });

/** A signal either player delivered: noted when it is the first to the target (not a service) that ends it. */
export function noteTerminating(trial: TrialState, signal: SignalName, atMs: number, played: PlayedEvent): void {
  if (!trial.terminating && serviceOf(played) === undefined && isTerminating(trial.options.scenario.expect, signal)) {
    trial.terminating = { signal, atMs };
    trial.terminated.open();
  }
}
