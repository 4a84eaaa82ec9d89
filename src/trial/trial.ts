import { startTimingThread } from '../host/timing-thread.js';
import { linkedSignal } from '../time.js';
import { buildRecord } from './build-record.js';
import { collect } from './collect.js';
import { withDataDir } from './data-dir.js';
import { end } from './ending.js';
import { play, startPlay, stopPlaying } from './play.js';
import type { TrialRecord } from './record.js';
import { startTrialStack } from './start.js';
import { startUp } from './startup.js';
import { trialState, type TrialOptions, type TrialState } from './state.js';

/**
 * One trial: start a fresh target, wait until ready, play the schedule, wait for the target to be gone (SIGKILL
 * after the grace period), and record everything. When the schedule holds no terminating signal, the target is
 * stopped at the end with its stop signal, as `docker stop` would. Judging is left to the oracles.
 */
export async function runTrial(options: TrialOptions): Promise<TrialRecord> {
  // The timing thread takes tens of ms to start (and to get its real-time priority): warm by the first signal.
  startTimingThread();
  // One listener on the caller's signal per trial, whatever its phases wait for: a campaign runs many at once on one.
  const abort = options.signal ? linkedSignal(options.signal) : undefined;
  const own: TrialOptions = abort ? { ...options, signal: abort.signal } : options;
  try {
    return await withDataDir(own.runId, async (dataDir) => {
      const stack = await startTrialStack(own, dataDir);
      try {
        return await observe(trialState(own, stack, dataDir));
      } finally {
        await stack[Symbol.asyncDispose]();
      }
    });
  } finally {
    abort?.dispose();
  }
}

/** Its phases, one state passed along: ready → play → stop, or wait until gone → collect → record. */
async function observe(trial: TrialState): Promise<TrialRecord> {
  const playing = startPlay(await startUp(trial));
  try {
    const played = await play(playing);
    const ended = await end(played);
    return buildRecord(await collect(ended));
  } finally {
    await stopPlaying(playing);
  }
}
