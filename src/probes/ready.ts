import type { StartedTarget } from '../backends/backend.js';
import { infrastructure } from '../errors.js';
import type { ReadyProbeSpec } from '../scenario/types.js';
import { formatMs, now, sleep } from '../time.js';
import { probeHttp } from './http.js';

const POLL_MS = 25;

/**
 * Waits until the target is ready (HTTP 2xx on `ready.http` and/or `ready.log` seen in its output) and returns the
 * time it became so. A target that exits or stays unready past the timeout is an infrastructure failure.
 */
export async function waitReady(target: StartedTarget, spec: ReadyProbeSpec, signal?: AbortSignal): Promise<number> {
  const deadline = target.spawnedAtMs + spec.timeout;
  let last = 'no probe ran yet';
  let httpOk = spec.http === undefined;
  let logOk = spec.log === undefined;
  while (!signal?.aborted) {
    if (target.mainExit) {
      const code = target.mainExit.exitCode ?? target.mainExit.signal;
      throw infrastructure(`the target exited during start-up (${code}) before it was ready.${logTail(target)}`);
    }
    if (!logOk) logOk = target.logs.lines.some((l) => l.text.includes(spec.log!));
    if (!httpOk) {
      if (!target.endpoint) throw infrastructure('the HTTP readiness probe has no port to reach the target on');
      const result = await probeHttp(target.endpoint.host, target.endpoint.port, spec.http!, 500);
      httpOk = result.ok;
      last = `GET ${spec.http} → ${result.detail}`;
    }
    if (httpOk && logOk) return now();
    if (now() >= deadline) {
      const waiting = [!httpOk && `HTTP probe (last: ${last})`, !logOk && `log line containing ${JSON.stringify(spec.log)}`];
      throw infrastructure(
        `the target was not ready within ${formatMs(spec.timeout)}: waiting for ${waiting.filter(Boolean).join(' and ')}.${logTail(target)}`,
      );
    }
    await sleep(POLL_MS, signal);
  }
  throw infrastructure('interrupted while waiting for the target to become ready');
}

function logTail(target: StartedTarget): string {
  const lines = target.logs.tail(10).map((l) => `  | ${l.text}`);
  return lines.length ? `\nLast output of the target:\n${lines.join('\n')}` : '';
}
