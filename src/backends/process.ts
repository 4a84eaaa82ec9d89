import { createServer } from 'node:net';
import { execa } from 'execa';
import { badInput, infrastructure } from '../errors.js';
import { PartitionProxy } from '../faults/proxy.js';
import type { ProcessForm, Target } from '../scenario/schema.js';
import type { SignalName } from '../signals.js';
import { now, sleep } from '../time.js';
import type { Backend, Delivery, RawExit, Recipient, StartContext, StartedTarget } from './backend.js';
import { LogBuffer } from './logs.js';
import { runPrepare } from './prepare.js';
import { isSameProcess, readStat, sessionMembers, withFds, type ProcessInfo } from './procfs.js';
import { killByPid } from './kill.js';
import { track } from './tracked.js';

/** Runs the target as a local process in its own session and process group (execa, detached). */
export const processBackend: Backend = {
  name: 'process',
  prepare: runPrepare,
  async start(target: Target, context: StartContext): Promise<StartedTarget> {
    const form = target.process;
    if (!form) throw badInput(`scenario ${context.scenario} has no \`target.process\` form: use --backend docker`);
    return startProcess(form, context);
  },
};

async function startProcess(form: ProcessForm, { dataDir, partitions }: StartContext): Promise<StartedTarget> {
  const port = await freePort();
  // Partitions of a local process go through a proxy of ours; without them the workload talks to the target directly.
  const proxy = partitions ? new PartitionProxy(port) : undefined;
  const endpointPort = proxy ? await proxy.listen() : port;
  const logs = new LogBuffer();
  const spawnedAtMs = now();
  const [file, ...args] = form.command;
  const child = execa(file!, args, {
    cwd: form.cwd,
    env: { DATA_DIR: dataDir, ...form.env, [form.portEnv]: String(port) },
    detached: true, // setsid(): own session and process group, so group signals and leftovers are ours alone
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: false, // sigstorm kills the whole group itself, see tracked.ts
  });
  child.catch(() => undefined);
  child.stdout?.on('data', (chunk: Buffer) => logs.write('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => logs.write('stderr', chunk));

  let mainExit: RawExit | undefined;
  // 'exit', not the execa promise: orphans holding the pipes must not delay what we observe.
  const exited = new Promise<RawExit>((resolve) => {
    child.once('exit', (code, signal) => {
      mainExit = { exitCode: code, signal: (signal as SignalName | null) ?? null, atMs: now() };
      resolve(mainExit);
    });
  });

  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawnError || child.pid === undefined) {
    await proxy?.close();
    throw infrastructure(`cannot start \`${form.command.join(' ')}\` in ${form.cwd}: ${spawnError?.message ?? 'no pid'}`);
  }
  const pid = child.pid;
  const startTime = readStat(pid)?.startTime ?? -1;
  const untrack = track({ kind: 'process-group', pgid: pid });

  /** Everything left of the target: its session, which survives re-parenting of orphans to init. */
  const leftovers = () => sessionMembers(pid).filter((p) => p.state !== 'Z');

  const target: StartedTarget = {
    backend: 'process',
    id: String(pid),
    pid,
    endpoint: { host: '127.0.0.1', port: endpointPort },
    logs,
    spawnedAtMs,
    exited,
    get mainExit() {
      return mainExit;
    },
    async signal(signals: readonly SignalName[], to: Recipient): Promise<Delivery[]> {
      if (mainExit === undefined && !isSameProcess(pid, startTime)) throw new Error(`pid ${pid} no longer names the target`);
      return killByPid(pid, signals, to);
    },
    async pause() {
      const atMs = now();
      process.kill(-pid, 'SIGSTOP');
      return { atMs, via: 'host-pid' as const, heal: async () => (process.kill(-pid, 'SIGCONT'), now()) };
    },
    async partition(spec) {
      if (!proxy) throw new Error('no partition proxy: the trial was started without partitions in its schedule');
      const atMs = now();
      proxy.partition(spec);
      return { atMs, via: 'host-pid' as const, heal: async () => (proxy.heal(), now()) };
    },
    async waitGone(untilMs: number) {
      const exit = await Promise.race([exited, sleep(untilMs - now()).then(() => undefined)]);
      if (!exit) return undefined;
      while (leftovers().length > 0) {
        if (now() >= untilMs) return undefined;
        await sleep(Math.min(20, untilMs - now()));
      }
      return exit;
    },
    processes(): ProcessInfo[] {
      const session = sessionMembers(pid);
      return withFds(session.sort((a, b) => (a.pid === pid ? -1 : b.pid === pid ? 1 : a.pid - b.pid)));
    },
    async kill() {
      killSession(pid);
      const exit = await exited;
      for (let i = 0; i < 100 && leftovers().length > 0; i++) {
        killSession(pid);
        await sleep(10);
      }
      return exit;
    },
    async [Symbol.asyncDispose]() {
      if (mainExit === undefined || leftovers().length > 0) await target.kill();
      await proxy?.close();
      untrack();
    },
  };
  return target;
}

/** SIGKILL the process group and any session member that moved to a group of its own. */
function killSession(sid: number): void {
  try {
    process.kill(-sid, 'SIGKILL');
  } catch {
    // group already empty
  }
  for (const p of sessionMembers(sid)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** A free loopback port for the target (closed again before the target binds it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
