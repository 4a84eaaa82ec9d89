import { Writable } from 'node:stream';
import { killByPid, recipientsOf } from '../../host/kill.js';
import { descendants, isSameProcess, readStat, withFds } from '../../host/procfs.js';
import type { Recipient } from '../../host/recipient.js';
import type { Owned } from '../../leftovers/tracked.js';
import type { ContainerForm } from '../../scenario/types.js';
import type { SignalName } from '../../signals.js';
import { MAX_DURATION_MS, now, within } from '../../time.js';
import type { LogBuffer } from '../logs.js';
import type { Delivery, StartedTarget } from '../target.js';
import { ENGINE_REPORT_MS, watchExit } from './container-exit.js';
import type { DockerContainer } from './engine.js';
import { cutNamespace, partitionRules } from './iptables.js';

export interface ContainerStart {
  /** The stack network it joined, when it did. */
  network?: string;
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
export async function startedContainer({ container, id, image, form, endpoint, logs, spawnedAtMs, owned, network }: ContainerStart): Promise<StartedTarget> {
  const removeContainer = () => container.remove({ force: true, v: true }).then(() => undefined);
  owned.created({ id }, removeContainer);

  const inspect = await container.inspect();
  const pid = inspect.State.Pid;
  const networkAddress = network ? inspect.NetworkSettings.Networks[network]?.IPAddress : undefined;
  // Signals by host pid are exact and reach groups and children; the Docker API reaches PID 1 only.
  const startTime = readStat(pid)?.startTime;
  const hostPids = process.getuid?.() === 0 && startTime !== undefined;
  // SIGSTORM_DOCKER_DELIVERY=api sends signals through the API even so (to compare both paths).
  const signalByPid = hostPids && process.env.SIGSTORM_DOCKER_DELIVERY !== 'api';

  const { exited, mainExit, failAfter, stop } = watchExit(container, id, pid, hostPids);
  // The engine learns of an exit late: make sure the pid still names the container's process.
  const ensureRunning = () => {
    if (mainExit() || !isSameProcess(pid, startTime!)) throw new Error('the container has exited');
  };

  return {
    backend: 'docker',
    id,
    image,
    pid,
    endpoint,
    ...(networkAddress ? { networkAddress } : {}),
    ...(form.ports[0] !== undefined ? { servicePort: form.ports[0] } : {}),
    logs,
    spawnedAtMs,
    exited,
    async health() {
      if (!form.healthcheck) return undefined;
      const status = (await container.inspect().catch(() => undefined))?.State.Health?.Status;
      return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : undefined;
    },
    get mainExit() {
      return mainExit();
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
      ensureRunning();
      return killByPid(pid, signals, to, to === 'group' ? (readStat(pid)?.pgid ?? pid) : pid);
    },
    recipients(to: Recipient) {
      if (!signalByPid) return undefined;
      ensureRunning();
      return recipientsOf(pid, to, to === 'group' ? (readStat(pid)?.pgid ?? pid) : pid);
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
      const undo = await cutNamespace(pid, partitionRules(form.ports, spec));
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
      if (mainExit() || !hostPids) return [];
      const main = readStat(pid);
      return main ? withFds([main, ...descendants(pid)], pid) : [];
    },
    async hook(command, hookLogs, abort) {
      try {
        const exec = await container.exec({ Cmd: [...command], AttachStdout: true, AttachStderr: true });
        const stream = await exec.start({ hijack: true, stdin: false });
        const out = (name: 'stdout' | 'stderr') => new Writable({ write: (chunk: Buffer, _enc, done) => (hookLogs.write(name, chunk), done()) });
        container.modem.demuxStream(stream, out('stdout'), out('stderr'));
        const ended = new Promise<void>((resolve) => (stream.once('end', resolve), stream.once('close', resolve), stream.once('error', () => resolve())));
        // The engine cannot stop an exec: one still running when the wait ends dies with the container.
        if (!(await within(ended, MAX_DURATION_MS, abort).then(() => !abort.aborted))) return { exitCode: null, error: 'still running' };
        const { ExitCode } = await exec.inspect();
        return { exitCode: ExitCode ?? null };
      } catch (error) {
        return { exitCode: null, error: (error as Error).message };
      }
    },
    async kill() {
      await container.kill({ signal: 'SIGKILL' }).catch(() => undefined); // 409: already stopped
      const timeout = failAfter(ENGINE_REPORT_MS * 3, `the Docker engine did not stop container ${id.slice(0, 12)} within ${(ENGINE_REPORT_MS * 3) / 1000} s`);
      return Promise.race([exited, timeout]);
    },
    async [Symbol.asyncDispose]() {
      stop();
      // Kept in the journal when the engine cannot remove it (gone, say): `sigstorm gc` will.
      if (await removeContainer().then(() => true, (e: { statusCode?: number }) => e?.statusCode === 404)) owned.released();
    },
  };
}
