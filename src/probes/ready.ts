import { setImmediate as turn } from 'node:timers/promises';
import type { StartedTarget } from '../backends/target.js';
import { infrastructure } from '../errors.js';
import type { ReadyProbeSpec } from '../scenario/types.js';
import { formatMs, now, sleep } from '../time.js';
import { forAll } from './for-all.js';
import { forHealth } from './for-health.js';
import { forHttp } from './for-http.js';
import { forLog } from './for-log.js';
import { forTcp } from './for-tcp.js';
import type { Probe } from './probe.js';

/** Polls every 5 ms at first, backing off to every 25 ms: a target that is ready at once is seen at once. */
const pollMs = (attempt: number): number => Math.min(25, 5 * 2 ** attempt);

/**
 * The probe a scenario's `ready:` asks for: HTTP 2xx on `ready.http`, `ready.log` seen in the output, a TCP connect
 * accepted (`ready.tcp`), each one given; and a healthy healthcheck when `healthy` (a dependency that compose's
 * `condition: service_healthy` waits for).
 */
export const readinessProbe = (spec: ReadyProbeSpec, healthy = false): Probe =>
  forAll(
    ...(spec.http !== undefined ? [forHttp(spec.http)] : []),
    ...(spec.log !== undefined ? [forLog(spec.log)] : []),
    ...(spec.tcp !== undefined ? [forTcp()] : []),
    ...(healthy ? [forHealth()] : []),
  );

/**
 * Waits until the readiness probe holds and returns the time it did. A target that exits or stays unready past the timeout
 * is an infrastructure failure.
 */
export async function waitReady(
  target: StartedTarget,
  spec: ReadyProbeSpec,
  signal?: AbortSignal,
  { healthy = false, what = 'the target' }: { healthy?: boolean; what?: string } = {},
): Promise<number> {
  const probe = readinessProbe(spec, healthy);
  const deadline = target.spawnedAtMs + spec.timeout;
  for (let attempt = 0; !signal?.aborted; attempt++) {
    if (target.mainExit) {
      const code = target.mainExit.exitCode ?? target.mainExit.signal;
      throw infrastructure(`${what} exited during start-up (${code}) before it was ready.${logTail(target, what)}`);
    }
    if (await probe.check(target)) {
      // Output the target wrote before it answered may still wait in its pipe on a busy machine: one turn of the
      // event loop reads it, so a line printed at start-up is never stamped after readiness (or after a signal).
      await turn();
      return now();
    }
    if (now() >= deadline) {
      throw infrastructure(`${what} was not ready within ${formatMs(spec.timeout)}: waiting for ${probe.waitingFor()}.${logTail(target, what)}`);
    }
    await sleep(pollMs(attempt), signal);
  }
  throw infrastructure('interrupted while waiting for the target to become ready');
}

function logTail(target: StartedTarget, what: string): string {
  const lines = target.logs.tail(10).map((l) => `  | ${l.text}`);
  return lines.length ? `\nLast output of ${what}:\n${lines.join('\n')}` : '';
}
