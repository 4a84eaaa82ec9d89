import { infrastructure } from '../../errors.js';
import { killByPid } from '../../host/kill.js';
import type { Recipient } from '../../host/recipient.js';
import { descendants, isSameProcess, readStat, withFds } from '../../host/procfs.js';
import { watchPid } from '../../host/watch-pid.js';
import type { Owned } from '../../leftovers/tracked.js';
import type { ContainerForm } from '../../scenario/schema.js';
import type { SignalName } from '../../signals.js';
import { now, sleep, within } from '../../time.js';
import type { LogBuffer } from '../logs.js';
import type { Delivery, RawExit, StartedTarget } from '../target.js';
import type { DockerContainer } from './engine.js';
import { cutNamespace } from './iptables.js';

/** How long the engine may take to report what the host already shows (an exit, a kill). */
const ENGINE_REPORT_MS = 5000;

export interface ContainerStart {
  container: DockerContainer;
  id: string;
  image: string;
  form: ContainerForm;
  endpoint: StartedTarget['endpoint'];
  logs: LogBuffer;
  spawnedAtMs: number;
  /** The journal entry of the container, announced before it was created. */
  owned: Owned;
}

/** A started container as a target: signals by host pid (or the API), the cgroup freezer, iptables in its namespace. */
export async function startedContainer({ container, id, image, form, endpoint, logs, spawnedAtMs, owned }: ContainerStart): Promise<StartedTarget> {
  const removeContainer = () => container.remove({ force: true, v: true }).then(() => undefined);
  owned.created({ id }, removeContainer);

  const inspect = await container.inspect();
  const pid = inspect.State.Pid;
  // Signals by host pid are exact and reach groups and children; the Docker API reaches PID 1 only.
  const startTime = readStat(pid)?.startTime;
  const hostPids = process.getuid?.() === 0 && startTime !== undefined;
  // SIGSTORM_DOCKER_DELIVERY=api sends signals through the API even so (to compare both paths).
  const signalByPid = hostPids && process.env.SIGSTORM_DOCKER_DELIVERY !== 'api';

  // The engine reports the status ~100 ms after the fact; watching the host pid gives the exact instant.
  const pidGoneAt = hostPids ? watchPid(pid) : undefined;
  let mainExit: RawExit | undefined;
  const waited = container.wait().then(async (r: { StatusCode: number }) => {
    const waitedAt = now();
    mainExit = { exitCode: r.StatusCode, signal: null, atMs: Math.min(waitedAt, (await pidGoneAt?.done) ?? waitedAt) };
    return mainExit;
  });
  // An engine that went away may leave the wait hanging forever: once the process is gone, give it a while.
  // Timers of ours must not outlive the target: they would hold sigstorm's exit back.
  const disposed = new AbortController();
  const unreported = pidGoneAt?.done.then((at) =>
    at === undefined
      ? never
      : failAfter(ENGINE_REPORT_MS, disposed.signal, `the Docker engine did not report the exit of container ${id.slice(0, 12)} within ${ENGINE_REPORT_MS / 1000} s`),
  );
  const exited: Promise<RawExit> = unreported ? Promise.race([waited, unreported]) : waited;
  exited.catch(() => undefined);

  return {
    backend: 'docker',
    id,
    image,
    pid,
    endpoint,
    logs,
    spawnedAtMs,
    exited,
    get mainExit() {
      return mainExit;
    },
    async signal(signals: readonly SignalName[], to: Recipient): Promise<Delivery[]> {
      if (!signalByPid) {
        if (to !== 'main') throw new Error(`signalling the ${to} of a container needs root on the Docker host`);
        // Sent together, like the kills below; each is timed when its request goes out.
        return Promise.all(
          signals.map(async (signal) => {
            const atMs = now();
            await container.kill({ signal });
            return { atMs, via: 'docker-api' as const, pids: [pid] };
          }),
        );
      }
      // The engine learns of an exit late: make sure the pid still names the container's process.
      if (mainExit || !isSameProcess(pid, startTime!)) throw new Error('the container has exited');
      return killByPid(pid, signals, to, to === 'group' ? (readStat(pid)?.pgid ?? pid) : pid);
    },
    async pause() {
      // The cgroup freezer stops every process of the container at once, where SIGSTOP would race with forks.
      // Times bracket the span the fault surely held: from the freeze's acknowledgement to the thaw's request.
      await container.pause();
      const atMs = now();
      const heal = async () => {
        const healedAt = now(); // like every API delivery: the moment the request went out
        await container.unpause();
        return healedAt;
      };
      return { atMs, via: 'docker-api' as const, heal };
    },
    async partition(spec) {
      if (!hostPids) throw new Error('partitioning a container needs root on the Docker host (iptables in its namespace)');
      if (form.ports.length === 0) throw new Error('the container declares no `ports` to cut');
      const undo = await cutNamespace(pid, form.ports, spec);
      const atMs = now(); // the rules are in place
      const heal = async () => {
        const healedAt = now();
        await undo();
        return healedAt;
      };
      return { atMs, via: 'host-pid' as const, heal };
    },
    waitGone: (untilMs: number, abort?: AbortSignal) => within(exited, untilMs - now(), abort),
    processes() {
      if (mainExit || !hostPids) return [];
      const main = readStat(pid);
      return main ? withFds([main, ...descendants(pid)], pid) : [];
    },
    async kill() {
      await container.kill({ signal: 'SIGKILL' }).catch(() => undefined); // 409: already stopped
      const timeout = failAfter(ENGINE_REPORT_MS * 3, disposed.signal, `the Docker engine did not stop container ${id.slice(0, 12)} within ${(ENGINE_REPORT_MS * 3) / 1000} s`);
      return Promise.race([exited, timeout]);
    },
    async [Symbol.asyncDispose]() {
      pidGoneAt?.stop();
      disposed.abort();
      // Kept in the journal when the engine cannot remove it (gone, say): `sigstorm gc` will.
      if (await removeContainer().then(() => true, (e: { statusCode?: number }) => e?.statusCode === 404)) owned.released();
    },
  };
}

const never = new Promise<never>(() => undefined);

/** Rejects with an infrastructure error after `ms`, or never once `disposed` (its timer goes with it). */
async function failAfter(ms: number, disposed: AbortSignal, message: string): Promise<never> {
  await sleep(ms, disposed);
  if (disposed.aborted) return never;
  throw infrastructure(message);
}
