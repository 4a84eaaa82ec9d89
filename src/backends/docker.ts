import type { Readable } from 'node:stream';
import { GenericContainer, type WaitStrategy } from 'testcontainers';
import { badInput, infrastructure } from '../errors.js';
import type { Target } from '../scenario/schema.js';
import type { SignalName } from '../signals.js';
import { now, sleep, within } from '../time.js';
import type { Backend, Delivery, RawExit, Recipient, StartContext, StartedTarget } from './backend.js';
import { dockerClient } from './engine.js';
import { cutNamespace } from '../faults/iptables.js';
import { ensureImage, neverPull } from './image.js';
import { LogBuffer } from './logs.js';
import { runPrepare } from './prepare.js';
import { killByPid } from './kill.js';
import { descendants, isAlive, isSameProcess, readStat, withFds } from './procfs.js';
import { own } from './tracked.js';

/** testcontainers has no builder method for `docker run --init`; the host config is ours to extend. */
class TargetContainer extends GenericContainer {
  withInit(init: boolean): this {
    this.hostConfig.Init = init;
    return this;
  }

  /** Published on loopback only: a target under attack is nobody else's business. */
  withLoopbackPorts(...ports: number[]): this {
    this.withExposedPorts(...ports);
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {})) {
      for (const binding of bindings as { HostIp?: string }[]) binding.HostIp = '127.0.0.1';
    }
    return this;
  }
}

/** sigstorm probes readiness itself, the same way on both backends; testcontainers only starts the container. */
const startedIsEnough: WaitStrategy = {
  waitUntilReady: async () => undefined,
  withStartupTimeout() {
    return this;
  },
  isStartupTimeoutSet: () => false,
  getStartupTimeout: () => 0,
};

/** How long the engine may take to report what the host already shows (an exit, a kill). */
const ENGINE_REPORT_MS = 5000;

const images = new Map<string, Promise<string>>();

function imageFor(target: Target): Promise<string> {
  const form = target.container!;
  const key = JSON.stringify([form.image, form.build]);
  let image = images.get(key);
  if (!image) {
    image = ensureImage(form);
    images.set(key, image);
    image.catch(() => images.delete(key));
  }
  return image;
}

export const dockerBackend: Backend = {
  name: 'docker',
  async prepare(target: Target) {
    if (!target.container) throw badInput('the scenario has no container form (`image` or `build`): use --backend process');
    await runPrepare(target);
    await imageFor(target);
  },
  async start(target: Target, context: StartContext): Promise<StartedTarget> {
    const form = target.container;
    if (!form) throw badInput(`scenario ${context.scenario} has no container form (\`image\` or \`build\`): use --backend process`);
    const client = await dockerClient();
    const image = await imageFor(target);
    const logs = new LogBuffer();
    let builder = new TargetContainer(image)
      .withLabels(context.labels)
      .withEnvironment({ ...(target.dataDir ? { DATA_DIR: target.dataDir } : {}), ...form.environment })
      .withLoopbackPorts(...form.ports)
      .withPullPolicy(neverPull)
      .withWaitStrategy(startedIsEnough)
      .withInit(form.init)
      .withLogConsumer((stream: Readable) => {
        stream.on('data', (chunk: Buffer | string) => logs.write('stdout', chunk));
      });
    if (target.dataDir) builder = builder.withBindMounts([{ source: context.dataDir, target: target.dataDir, mode: 'rw' }]);
    if (form.command) builder = builder.withCommand(form.command);
    if (form.entrypoint) builder = builder.withEntrypoint(form.entrypoint);

    const owned = own({ kind: 'container', run: context.runId });
    const spawnedAtMs = now();
    let started: Awaited<ReturnType<typeof builder.start>>;
    try {
      started = await builder.start();
    } catch (error) {
      // Created but not started (a port, a mount, the engine going away): remove it by its label.
      if (await removeRun(context.runId)) owned.released();
      throw error;
    }
    const container = client.container.getById(started.getId());
    const removeContainer = () => container.remove({ force: true, v: true }).then(() => undefined);
    owned.created({ id: started.getId() }, removeContainer);

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
        : failAfter(ENGINE_REPORT_MS, disposed.signal, `the Docker engine did not report the exit of container ${started.getId().slice(0, 12)} within ${ENGINE_REPORT_MS / 1000} s`),
    );
    const exited: Promise<RawExit> = unreported ? Promise.race([waited, unreported]) : waited;
    exited.catch(() => undefined);
    const port = form.ports[0] !== undefined ? target.ready.port ?? form.ports[0] : undefined;

    const handle: StartedTarget = {
      backend: 'docker',
      id: started.getId(),
      image,
      pid,
      endpoint: port !== undefined ? { host: '127.0.0.1', port: started.getMappedPort(port) } : undefined,
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
        const timeout = failAfter(ENGINE_REPORT_MS * 3, disposed.signal, `the Docker engine did not stop container ${started.getId().slice(0, 12)} within ${(ENGINE_REPORT_MS * 3) / 1000} s`);
        return Promise.race([exited, timeout]);
      },
      async [Symbol.asyncDispose]() {
        pidGoneAt?.stop();
        disposed.abort();
        // Kept in the journal when the engine cannot remove it (gone, say): `sigstorm gc` will.
        if (await removeContainer().then(() => true, (e: { statusCode?: number }) => e?.statusCode === 404)) owned.released();
      },
    };
    return handle;
  },
};

const never = new Promise<never>(() => undefined);

/** Rejects with an infrastructure error after `ms`, or never once `disposed` (its timer goes with it). */
async function failAfter(ms: number, disposed: AbortSignal, message: string): Promise<never> {
  await sleep(ms, disposed);
  if (disposed.aborted) return never;
  throw infrastructure(message);
}

/** Removes every container of one trial; false when the engine could not be asked. */
async function removeRun(runId: string): Promise<boolean> {
  try {
    const docker = (await dockerClient()).container.dockerode;
    const found = await docker.listContainers({ all: true, filters: { label: [`sigstorm.run=${runId}`] } });
    await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
    return true;
  } catch {
    return false;
  }
}

/** Polls /proc for the moment `pid` dies (or turns zombie). */
function watchPid(pid: number, everyMs = 5) {
  let timer: NodeJS.Timeout | undefined;
  let stop = () => undefined as void;
  const done = new Promise<number | undefined>((resolve) => {
    stop = () => {
      clearInterval(timer);
      resolve(undefined);
    };
    timer = setInterval(() => {
      if (isAlive(pid)) return;
      clearInterval(timer);
      resolve(now());
    }, everyMs);
  });
  return { done, stop };
}
