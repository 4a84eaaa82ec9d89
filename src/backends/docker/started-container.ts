import { readStat } from '../../host/procfs.js';
import type { Owned } from '../../leftovers/tracked.js';
import type { ContainerForm } from '../../scenario/types.js';
import { now, within } from '../../time.js';
import type { LogBuffer } from '../logs.js';
import type { RawExit, StartedTarget } from '../target.js';
import { ENGINE_REPORT_MS, watchExit, type ContainerExit } from './container-exit.js';
import { containerProcesses, containerRecipients, cutContainer, freezeContainer, signalContainer, type RunningContainer } from './container-faults.js';
import { execHook } from './container-hook.js';
import type { DockerContainer } from './engine.js';

export interface ContainerStart {
  /** The stack network it joined, when it did. */
  network?: string;
  container: DockerContainer;
  id: string;
  image: string;
  form: ContainerForm;
  endpoint: StartedTarget['endpoint'];
  /** Where the host reaches its first container port (published on loopback). */
  hostPort?: number;
  /** The container port a TCP readiness probe connects to. */
  tcpPort?: number;
  logs: LogBuffer;
  /** When sigstorm asked the engine to create and start it. */
  requestedAtMs: number;
  /** The journal entry of the container, announced before it was created. */
  owned: Owned;
}

/**
 * When the container's main process began, on the monotonic clock, from the engine's `StartedAt`: creating and
 * starting a container takes half a second or more on a busy machine (measured: 480–670 ms beside two busy loops), so
 * a signal timed `from: spawn` and counted from the request could land before the service's first instruction.
 */
function processStartMs(startedAt: string | undefined, requestedAtMs: number): number {
  const wallMs = startedAt ? Date.parse(startedAt) : Number.NaN;
  const at = now();
  return Number.isFinite(wallMs) ? Math.min(at, Math.max(requestedAtMs, at - (Date.now() - wallMs))) : requestedAtMs;
}

/** A started container as a target: signals by host pid (or the API), the cgroup freezer, iptables in its namespace. */
export async function startedContainer(start: ContainerStart): Promise<StartedTarget> {
  const { container, id, image, form, endpoint, hostPort, tcpPort, logs, requestedAtMs, owned, network } = start;
  const removeContainer = () => container.remove({ force: true, v: true }).then(() => undefined);
  owned.created({ id }, removeContainer);

  const inspect = await container.inspect();
  const pid = inspect.State.Pid;
  const spawnedAtMs = processStartMs(inspect.State.StartedAt, requestedAtMs);
  const networkAddress = network ? inspect.NetworkSettings.Networks[network]?.IPAddress : undefined;
  // Its own address (the host routes to the bridge): the published port's userland proxy accepts before it listens.
  const ownAddress = networkAddress || inspect.NetworkSettings.IPAddress || Object.values(inspect.NetworkSettings.Networks ?? {})[0]?.IPAddress;
  // Signals by host pid are exact and reach groups and children; the Docker API reaches PID 1 only.
  const startTime = readStat(pid)?.startTime;
  const hostPids = process.getuid?.() === 0 && startTime !== undefined;
  // SIGSTORM_DOCKER_DELIVERY=api sends signals through the API even so (to compare both paths).
  const signalByPid = hostPids && process.env.SIGSTORM_DOCKER_DELIVERY !== 'api';

  const watch = watchExit(container, id, pid, hostPids);
  const running: RunningContainer = { container, pid, startTime, hostPids, signalByPid, ports: form.ports, mainExit: watch.mainExit };

  return {
    backend: 'docker',
    id,
    image,
    pid,
    endpoint,
    ...(tcpPort !== undefined && ownAddress ? { listening: { host: ownAddress, port: tcpPort } } : {}),
    ...(networkAddress ? { networkAddress } : {}),
    ...(form.ports[0] !== undefined ? { servicePort: form.ports[0] } : {}),
    ...(hostPort !== undefined ? { hostPort } : {}),
    logs,
    spawnedAtMs,
    exited: watch.exited,
    health: () => healthOf(container, form),
    get mainExit() {
      return watch.mainExit();
    },
    mainGone: () => watch.gone(),
    signal: (signals, to) => signalContainer(running, signals, to),
    recipients: (to) => containerRecipients(running, to),
    pause: () => freezeContainer(container),
    partition: (spec) => cutContainer(running, spec),
    waitGone: (untilMs: number, abort?: AbortSignal) => within(watch.exited, untilMs - now(), abort),
    processes: () => containerProcesses(running),
    hook: (command, hookLogs, abort) => execHook(container, command, hookLogs, abort),
    kill: () => killContainer(container, id, watch),
    async [Symbol.asyncDispose]() {
      watch.stop();
      // Kept in the journal when the engine cannot remove it (gone, say): `sigstorm gc` will.
      if (await removeContainer().then(() => true, (e: { statusCode?: number }) => e?.statusCode === 404)) owned.released();
    },
  };
}

/** The engine's healthcheck status, when the container has a healthcheck and the engine can say. */
async function healthOf(container: DockerContainer, form: ContainerForm): Promise<'starting' | 'healthy' | 'unhealthy' | undefined> {
  if (!form.healthcheck) return undefined;
  const status = (await container.inspect().catch(() => undefined))?.State.Health?.Status;
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : undefined;
}

/** SIGKILL through the engine, then its report of the exit (which the engine owes within a few seconds). */
async function killContainer(container: DockerContainer, id: string, { exited, failAfter }: ContainerExit): Promise<RawExit> {
  await container.kill({ signal: 'SIGKILL' }).catch(() => undefined); // 409: already stopped
  const timeout = failAfter(ENGINE_REPORT_MS * 3, `the Docker engine did not stop container ${id.slice(0, 12)} within ${(ENGINE_REPORT_MS * 3) / 1000} s`);
  return Promise.race([exited, timeout]);
}
