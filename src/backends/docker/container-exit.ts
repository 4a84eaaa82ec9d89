import { infrastructure } from '../../errors.js';
import { watchPid } from '../../host/watch-pid.js';
import { now, sleep } from '../../time.js';
import type { RawExit } from '../target.js';
import type { DockerContainer } from './engine.js';

/** How long the engine may take to report what the host already shows (an exit, a kill). */
export const ENGINE_REPORT_MS = 5000;

export interface ContainerExit {
  /** Settles when the main process exits; rejects when the engine never reports an exit the host saw. */
  exited: Promise<RawExit>;
  /** Set once the engine reported the exit. */
  mainExit(): RawExit | undefined;
  /** Whether the main process is gone: its exit reported, or its host pid (when watched) dead or a zombie. */
  gone(): boolean;
  /** Rejects with an infrastructure error after `ms`, or never once stopped (its timer goes with it). */
  failAfter(ms: number, message: string): Promise<never>;
  /** Ends the watch and every timer: none may outlive the target, they would hold sigstorm's exit back. */
  stop(): void;
}

/**
 * The exit of a container's main process. The engine reports it ~100 ms after the fact: with `hostPid` (root on
 * the Docker host) the host pid is watched too, for the exact instant.
 */
export function watchExit(container: DockerContainer, id: string, pid: number, hostPid: boolean): ContainerExit {
  const pidGoneAt = hostPid ? watchPid(pid) : undefined;
  const stopped = new AbortController();
  const failAfter = async (ms: number, message: string): Promise<never> => {
    await sleep(ms, stopped.signal);
    if (stopped.signal.aborted) return never;
    throw infrastructure(message);
  };
  let mainExit: RawExit | undefined;
  let pidGone = false;
  void pidGoneAt?.done.then((at) => (pidGone = at !== undefined));
  const waited = container.wait().then(async (r: { StatusCode: number }) => {
    const waitedAt = now();
    mainExit = { exitCode: r.StatusCode, signal: null, atMs: Math.min(waitedAt, (await pidGoneAt?.done) ?? waitedAt) };
    return mainExit;
  });
  // An engine that went away may leave the wait hanging forever: once the process is gone, give it a while.
  const unreported = pidGoneAt?.done.then((at) =>
    at === undefined
      ? never
      : failAfter(ENGINE_REPORT_MS, `the Docker engine did not report the exit of container ${id.slice(0, 12)} within ${ENGINE_REPORT_MS / 1000} s`),
  );
  const exited: Promise<RawExit> = unreported ? Promise.race([waited, unreported]) : waited;
  exited.catch(() => undefined);
  return {
    exited,
    mainExit: () => mainExit,
    gone: () => mainExit !== undefined || pidGone,
    failAfter,
    stop() {
      pidGoneAt?.stop();
      stopped.abort();
    },
  };
}

const never = new Promise<never>(() => undefined);
