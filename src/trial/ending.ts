import type { RawExit } from '../backends/target.js';
import type { ProcessInfo } from '../host/process-info.js';
import { now } from '../time.js';
import { stopPlayers, type PlayedTrial } from './play.js';
import type { StopRecord } from './record.js';

/** How the target ended, with both players stopped. */
export interface Ending {
  rawExit: RawExit;
  /** What was still running when the wait gave up (and a kill was needed). */
  lingering: ProcessInfo[];
  /** When that kill was sent, on the monotonic clock. */
  killedAtMs?: number;
  /** The orchestrator's stop sequence, step by step, when one was played. */
  stopRecord?: StopRecord;
}

export interface EndedTrial extends PlayedTrial, Ending {}

/** The end: the stop sequence, once begun, played out; else the wait until the target is gone. */
export async function end(trial: PlayedTrial): Promise<EndedTrial> {
  return Object.assign(trial, trial.stopping ? await stopSequence(trial, trial.stopping) : await waitUntilGone(trial));
}

/** The stop model waits, kills and removes as its orchestrator does. */
async function stopSequence(trial: PlayedTrial, stopping: NonNullable<PlayedTrial['stopping']>): Promise<Ending> {
  const outcome = await stopping;
  const { raw: rawExit, lingering } = outcome;
  const killedAtMs = outcome.killedAtMs === undefined ? undefined : trial.readyMs + outcome.killedAtMs;
  await stopPlayers(trial);
  return { rawExit, lingering, killedAtMs, stopRecord: outcome.record };
}

/** A signal of the schedule stopped it, or it exited by itself: wait as `docker stop` would, then kill. */
async function waitUntilGone(trial: PlayedTrial): Promise<Ending> {
  const { scenario, signal } = trial.options;
  const { target } = trial.stack;
  const { terminating } = trial;
  const grace = scenario.target.stopGracePeriod;
  const expectation = terminating ? scenario.expect[terminating.signal] : undefined;
  const waitFor = Math.max(grace, expectation?.kind === 'exit' ? expectation.within : 0);
  const deadline = terminating ? terminating.atMs + waitFor : now() + grace;
  // An interrupt ends the wait at once: the target is killed below, and the report says the trial was cut short.
  const raw = await target.waitGone(signal?.aborted ? now() : deadline, signal);
  const lingering = raw ? [] : target.processes();
  const killedAtMs = raw ? undefined : now();
  // A frozen or cut-off target must be thawed before it can be killed and removed.
  await stopPlayers(trial);
  return { rawExit: raw ?? (await target.kill()), lingering, killedAtMs };
}
