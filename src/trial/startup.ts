import { Player } from '../faults/player.js';
import { journal } from '../leftovers/journal.js';
import { waitReady } from '../probes/ready.js';
import { fromSpawn } from '../schedule/event.js';
import { now } from '../time.js';
import { startSampler, type Sampler } from './sampler.js';
import { noteTerminating, type TrialState } from './state.js';

/** The trial once its start-up window has closed: ready, or exited after a signal timed from spawn. */
export interface ReadyTrial extends TrialState {
  /** Plays the events timed from spawn (`from: spawn`), its origin the spawn; healed and stopped with the other player. */
  readonly startup: Player;
  /** Those events played and settled. */
  readonly startupPlaying: Promise<void>;
  /** The target's processes during a start-up with events: kept as the samples of a target that never became ready. */
  readonly startupSampler: Sampler | undefined;
  /** Readiness on the monotonic clock, the origin of the record's times (or when an exit during start-up was seen). */
  readonly readyMs: number;
  /** Wall-clock time of readiness, for humans. */
  readonly readyAt: string;
  /** The target exited during its start-up after a signal of the schedule: it is judged (it never became ready). */
  readonly exitedInStartup: boolean;
}

/**
 * The start-up window: events timed from spawn are played while readiness is awaited. A target that exits in it
 * after one of their signals is judged; any other failure to become ready ends the trial (the error is thrown).
 */
export async function startUp(trial: TrialState): Promise<ReadyTrial> {
  const { scenario, schedule, signal, runId } = trial.options;
  const { target, faults } = trial.stack;
  const atStartup = schedule.filter(fromSpawn);
  const startupSampler = atStartup.length ? startSampler(target, 0) : undefined;
  const startup = new Player(faults, target.spawnedAtMs, {
    onSignal: (sig, atMs, played) => noteTerminating(trial, sig, target.spawnedAtMs + atMs, played),
  });
  const startupPlaying = startup.play(atStartup).then(() => startup.settled());
  let readyMs: number;
  let exitedInStartup = false;
  try {
    readyMs = await waitReady(target, scenario.target.ready, signal);
  } catch (error) {
    const signalled = startup.played.some((p) => p.deliveredMs !== undefined);
    if (!target.mainExit || !signalled || signal?.aborted) {
      await startup.stop();
      throw error;
    }
    exitedInStartup = true;
    readyMs = now();
  } finally {
    startupSampler?.stop();
  }
  if (!exitedInStartup) journal.phase('ready', runId);
  return Object.assign(trial, { startup, startupPlaying, startupSampler, readyMs, readyAt: new Date().toISOString(), exitedInStartup });
}
