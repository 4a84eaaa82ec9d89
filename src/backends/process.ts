import { createServer } from 'node:net';
import { execa } from 'execa';
import { badInput, infrastructure } from '../errors.js';
import { PartitionProxy } from '../faults/proxy.js';
import type { ProcessForm, Target } from '../scenario/schema.js';
import type { SignalName } from '../signals.js';
import { now, sleep, within } from '../time.js';
import type { Backend, Delivery, RawExit, Recipient, StartContext, StartedTarget } from './backend.js';
import { LogBuffer } from './logs.js';
import { runPrepare } from './prepare.js';
import { allProcesses, isSameProcess, readStat, sessionMembers, withFds, type ProcessInfo } from './procfs.js';
import { killByPid } from './kill.js';
import { own } from './tracked.js';
import { holdsToken, killOwned, ownerEnv, ownerTokens } from '../leftovers/owned.js';

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

async function startProcess(form: ProcessForm, { dataDir, partitions, runId }: StartContext): Promise<StartedTarget> {
  const port = await freePort();
  // Partitions of a local process go through a proxy of ours; without them the workload talks to the target directly.
  const proxy = partitions ? new PartitionProxy(port) : undefined;
  const endpointPort = proxy ? await proxy.listen() : port;
  const logs = new LogBuffer();
  // The token in the environment finds every process of the target, whatever session it moved to (leftovers/owned.ts).
  const token = runId;
  const owned = own({ kind: 'process', token });
  const spawnedAtMs = now();
  const [file, ...args] = form.command.map((arg) => withDataDir(arg, dataDir));
  const env = Object.fromEntries(Object.entries(form.env).map(([k, v]) => [k, withDataDir(v, dataDir)]));
  const child = execa(file!, args, {
    cwd: form.cwd,
    env: { DATA_DIR: dataDir, ...env, [form.portEnv]: String(port), ...ownerEnv(token) },
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
    owned.released();
    throw infrastructure(`cannot start \`${form.command.join(' ')}\` in ${form.cwd}: ${spawnError?.message ?? 'no pid'}`);
  }
  const pid = child.pid;
  const startTime = readStat(pid)?.startTime ?? -1;
  owned.created({ pid }, () => killSession(pid, startTime, token));

  /** Everything of the target: its session (which survives re-parenting to init) and whatever carries its token. */
  // One pass over /proc: it is the cost of every sample. Only processes younger than the target can hold its token.
  const members = () =>
    allProcesses().filter((p) => p.sid === pid || holdsToken(p, token, startTime));
  const leftovers = () => members().filter((p) => p.state !== 'Z');
  const groupIsOurs = () => sessionIsOurs(pid, startTime, token);

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
      // Pids are reused: signal only what is still the target (its group may outlive its leader).
      if (to === 'group' ? !groupIsOurs() : !isSameProcess(pid, startTime)) throw new Error(`the target (pid ${pid}) has exited`);
      return killByPid(pid, signals, to);
    },
    async pause() {
      if (!groupIsOurs()) throw new Error(`the target (pid ${pid}) has exited`);
      const atMs = now();
      process.kill(-pid, 'SIGSTOP');
      const heal = async () => {
        if (groupIsOurs()) process.kill(-pid, 'SIGCONT');
        return now();
      };
      return { atMs, via: 'host-pid' as const, heal };
    },
    async partition(spec) {
      if (!proxy) throw new Error('no partition proxy: the trial was started without partitions in its schedule');
      const atMs = now();
      proxy.partition(spec);
      return { atMs, via: 'host-pid' as const, heal: async () => (proxy.heal(), now()) };
    },
    async waitGone(untilMs: number, abort?: AbortSignal) {
      const exit = await within(exited, untilMs - now(), abort);
      if (!exit) return undefined;
      while (leftovers().length > 0) {
        if (now() >= untilMs || abort?.aborted) return undefined;
        await sleep(Math.min(20, untilMs - now()));
      }
      return exit;
    },
    processes(): ProcessInfo[] {
      return withFds(members().sort((a, b) => (a.pid === pid ? -1 : b.pid === pid ? 1 : a.pid - b.pid)), pid);
    },
    async kill() {
      killSession(pid, startTime, token);
      const exit = await exited;
      for (let i = 0; i < 100 && leftovers().length > 0; i++) {
        killSession(pid, startTime, token);
        await sleep(10);
      }
      return exit;
    },
    async [Symbol.asyncDispose]() {
      if (mainExit === undefined || leftovers().length > 0) await target.kill();
      await proxy?.close();
      if (leftovers().length === 0) owned.released();
    },
  };
  return target;
}

/** The session `sid` is still the target's: its leader is, or a member still holds the token (pids are reused). */
const sessionIsOurs = (sid: number, startTime: number, token: string, session = sessionMembers(sid)): boolean =>
  isSameProcess(sid, startTime) || session.some((p) => ownerTokens(p.pid).includes(token));

/** A process target's command and environment may name the trial's data directory as `{data_dir}`. */
const withDataDir = (value: string, dataDir: string) => value.replaceAll('{data_dir}', dataDir);

/**
 * SIGKILL whatever holds the token, then the session: its group and any member that moved to a group of its own.
 * The session is only ours while its leader is, or while a member still holds the token (pid reuse).
 */
function killSession(sid: number, startTime: number, token: string): void {
  killOwned(token);
  const session = sessionMembers(sid);
  if (!sessionIsOurs(sid, startTime, token, session)) return;
  try {
    process.kill(-sid, 'SIGKILL');
  } catch {
    // group already empty
  }
  for (const p of session) {
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
