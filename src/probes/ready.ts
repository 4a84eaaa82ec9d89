import type { StartedTarget } from '../backends/target.js';
import { infrastructure } from '../errors.js';
import type { ReadyProbeSpec } from '../scenario/types.js';
import { formatMs, now, sleep } from '../time.js';
import { forAll } from './for-all.js';
import { forHttp } from './for-http.js';
import { forLog } from './for-log.js';
import type { Probe } from './probe.js';

const POLL_MS = 25;

/** The probe a scenario's `ready:` asks for: HTTP 2xx on `ready.http` and/or `ready.log` seen in the output. */
export const readinessProbe = (spec: ReadyProbeSpec): Probe =>
  forAll(...(spec.http !== undefined ? [forHttp(spec.http)] : []), ...(spec.log !== undefined ? [forLog(spec.log)] : []));

/**
 * Waits until the readiness probe holds and returns the time it did. A target that exits or stays unready past the timeout
 * is an infrastructure failure.
 */
export async function waitReady(target: StartedTarget, spec: ReadyProbeSpec, signal?: AbortSignal): Promise<number> {
  const probe = readinessProbe(spec);
  const deadline = target.spawnedAtMs + spec.timeout;
  while (!signal?.aborted) {
    if (target.mainExit) {
      const code = target.mainExit.exitCode ?? target.mainExit.signal;
      throw infrastructure(`the target exited during start-up (${code}) before it was ready.${logTail(target)}`);
    }
    if (await probe.check(target)) return now();
    if (now() >= deadline) {
      throw infrastructure(`the target was not ready within ${formatMs(spec.timeout)}: waiting for ${probe.waitingFor()}.${logTail(target)}`);
    }
    await sleep(POLL_MS, signal);
  }
  throw infrastructure('interrupted while waiting for the target to become ready');
}

function logTail(target: StartedTarget): string {
  const lines = target.logs.tail(10).map((l) => `  | ${l.text}`);
  return lines.length ? `\nLast output of the target:\n${lines.join('\n')}` : '';
}
