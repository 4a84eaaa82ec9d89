import { infrastructure } from '../../errors.js';
import { killByPid, killRecipients, recipientsOf } from '../../host/kill.js';
import type { ProcessInfo } from '../../host/process-info.js';
import { isSameProcess, readStat, withFds } from '../../host/procfs.js';
import type { Recipient, Recipients } from '../../host/recipient.js';
import { own } from '../../leftovers/tracked.js';
import type { ProcessForm } from '../../scenario/types.js';
import type { SignalName } from '../../signals.js';
import { now, sleep, within } from '../../time.js';
import type { StartContext } from '../backend.js';
import { LogBuffer } from '../logs.js';
import type { Delivery, StartedTarget } from '../target.js';
import { freePort } from './free-port.js';
import { MemberWatch } from './members.js';
import { PartitionProxy } from './proxy.js';
import { killSession, sessionIsOurs } from './session.js';
import { runHook, spawnTarget } from './spawn.js';

/** A local process as a target: signals by pid or group, SIGSTOP/SIGCONT of its group, partitions at a proxy of ours. */
export async function startProcess(
  form: ProcessForm,
  { dataDir, partitions, runId, environment, dependency, instance }: StartContext,
  lowPriority = false,
): Promise<StartedTarget> {
  const port = await freePort();
  // Partitions of a local process go through a proxy of ours; without them the workload talks to the target directly.
  const proxy = partitions ? new PartitionProxy(port) : undefined;
  const endpointPort = proxy ? await proxy.listen() : port;
  const logs = new LogBuffer();
  // Each service of a stack has a token of its own: the target's processes are not its dependencies', nor those of
  // its second instance (":" is no part of a service name, so no dependency's token can be that one).
  const token = `${dependency ? `${runId}.${dependency}` : runId}${instance ? `:${instance}` : ''}`;
  const owned = own({ kind: 'process', token });
  const watch = new MemberWatch(token);
  const spawnedAtMs = now();
  const spawned = await spawnTarget(form, { dataDir, port, token, lowPriority, ...(environment ? { environment } : {}) }, logs);
  if (spawned.error || spawned.pid === undefined) {
    await proxy?.close();
    owned.released();
    throw infrastructure(`cannot start \`${form.command.join(' ')}\` in ${form.cwd}: ${spawned.error?.message ?? 'no pid'}`);
  }
  const { pid, exited } = spawned;
  const startTime = readStat(pid)?.startTime ?? -1;
  owned.created({ pid, startTime }, () => killSession(pid, startTime, token));

  /** Everything of the target: its session (which survives re-parenting to init) and whatever carries its token. */
  const members = () => watch.members(pid, startTime);
  const leftovers = () => members().filter((p) => p.state !== 'Z');
  const groupIsOurs = () => sessionIsOurs(pid, startTime, token, () => members().filter((p) => p.sid === pid));
  // Pids are reused: signal only what is still the target (its group may outlive its leader).
  const ensureOurs = (to: Recipient) => {
    if (to === 'group' ? !groupIsOurs() : !isSameProcess(pid, startTime)) throw new Error(`the target (pid ${pid}) has exited`);
  };
  /** `all`: every process of the target, wherever it moved (systemd's control group), the main one gone or not. */
  const everyMember = (): Recipients => {
    const pids = leftovers().map((p) => p.pid);
    if (pids.length === 0) throw new Error(`the target (pid ${pid}) has exited, and nothing of it is left`);
    return { kill: pids, pids };
  };
  /** Set once the main process exited and nothing of the target was left. */
  let gone = false;

  const target: StartedTarget = {
    backend: 'process',
    id: String(pid),
    pid,
    endpoint: { host: '127.0.0.1', port: endpointPort },
    servicePort: port,
    logs,
    spawnedAtMs,
    exited,
    get mainExit() {
      return spawned.mainExit();
    },
    async signal(signals: readonly SignalName[], to: Recipient): Promise<Delivery[]> {
      if (to === 'all') return killRecipients(everyMember(), signals);
      ensureOurs(to);
      return killByPid(pid, signals, to);
    },
    recipients(to: Recipient) {
      if (to === 'all') return everyMember();
      ensureOurs(to);
      return recipientsOf(pid, to);
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
      gone = true;
      return exit;
    },
    processes(): ProcessInfo[] {
      return withFds(members().sort((a, b) => (a.pid === pid ? -1 : b.pid === pid ? 1 : a.pid - b.pid)), pid);
    },
    hook: (command, hookLogs, abort) => runHook(command, form, { dataDir, port, token, ...(environment ? { environment } : {}) }, hookLogs, abort),
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
      // Nothing of the target can appear once nothing of it is left: no second look after waitGone saw it so.
      const ended = gone || (spawned.mainExit() !== undefined && leftovers().length === 0);
      if (!ended) await target.kill();
      await proxy?.close();
      if (ended || leftovers().length === 0) owned.released();
    },
  };
  return target;
}
