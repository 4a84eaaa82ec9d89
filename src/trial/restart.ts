import type { StartedTarget } from '../backends/target.js';
import { waitReady } from '../probes/ready.js';
import type { Target } from '../scenario/types.js';
import { now } from '../time.js';
import type { Stack } from './stack.js';

/**
 * Runs `use` against the target started again over the trial's data directory, once it is ready; then stops it
 * as `docker stop` would (its stop signal, SIGKILL after the grace period) and removes it, whatever happened, at
 * once on an abort. Its output stays its own: the trial's logs are the first instance's.
 */
export async function withRestartedTarget<T>(stack: Stack, spec: Target, signal: AbortSignal | undefined, use: (target: StartedTarget) => Promise<T>): Promise<T> {
  const again = await stack.restartTarget();
  try {
    await waitReady(again, spec.ready, signal, { what: 'the restarted target' });
    return await use(again);
  } finally {
    try {
      await stop(again, spec, signal);
    } finally {
      await again[Symbol.asyncDispose]();
    }
  }
}

async function stop(target: StartedTarget, spec: Target, signal: AbortSignal | undefined): Promise<void> {
  if (!target.mainExit && !signal?.aborted) await target.signal([spec.stopSignal], 'main').catch(() => undefined);
  const gone = await target.waitGone(signal?.aborted ? now() : now() + spec.stopGracePeriod, signal);
  if (!gone) await target.kill();
}
