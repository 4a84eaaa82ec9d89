import { infrastructure } from '../../errors.js';
import { readStat } from '../../host/procfs.js';
import { own } from '../../leftovers/tracked.js';
import type { ProcessForm } from '../../scenario/types.js';
import { now } from '../../time.js';
import type { StartContext } from '../backend.js';
import { LogBuffer } from '../logs.js';
import type { Applied, PartitionSpec, StartedTarget } from '../target.js';
import { freePort } from './free-port.js';
import { MemberWatch } from './members.js';
import { PartitionProxy } from './proxy.js';
import { killSession } from './session.js';
import { runHook, spawnTarget } from './spawn.js';
import { TargetProcesses } from './target-processes.js';

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
  const token = tokenOf(runId, dependency, instance);
  const owned = own({ kind: 'process', token });
  const watch = new MemberWatch(token);
  const spawnedAtMs = now();
  const spawned = await spawnTarget(form, { dataDir, port, token, lowPriority, ...(environment ? { environment } : {}) }, logs);
  if (spawned.error || spawned.pid === undefined) {
    spawned.forget();
    await proxy?.close();
    owned.released();
    throw infrastructure(`cannot start \`${form.command.join(' ')}\` in ${form.cwd}: ${spawned.error?.message ?? 'no pid'}`);
  }
  const { pid, exited } = spawned;
  const startTime = readStat(pid)?.startTime ?? -1;
  owned.created({ pid, startTime }, () => killSession(pid, startTime, token));
  const processes = new TargetProcesses(pid, startTime, token, watch, spawned);

  const target: StartedTarget = {
    backend: 'process',
    id: String(pid),
    pid,
    endpoint: { host: '127.0.0.1', port: endpointPort },
    // Its own port, not the partition proxy's, which accepts before the process listens.
    listening: { host: '127.0.0.1', port },
    servicePort: port,
    hostPort: port,
    logs,
    spawnedAtMs,
    exited,
    get mainExit() {
      return spawned.mainExit();
    },
    signal: (signals, to) => processes.signal(signals, to),
    recipients: (to) => processes.recipients(to),
    pause: () => processes.freeze(),
    partition: (spec) => cutAtProxy(proxy, spec),
    waitGone: (untilMs, abort) => processes.waitGone(untilMs, abort),
    processes: () => processes.processes(),
    hook: (command, hookLogs, abort) => runHook(command, form, { dataDir, port, token, ...(environment ? { environment } : {}) }, hookLogs, abort),
    kill: () => processes.kill(),
    async [Symbol.asyncDispose]() {
      const ended = processes.ended();
      if (!ended) await target.kill();
      await proxy?.close();
      spawned.forget();
      if (ended || processes.leftovers().length === 0) owned.released();
    },
  };
  return target;
}

/**
 * Each service of a stack has a token of its own: the target's processes are not its dependencies', nor those of
 * its second instance (":" is no part of a service name, so no dependency's token can be that one).
 */
const tokenOf = (runId: string, dependency: string | undefined, instance: string | undefined) =>
  `${dependency ? `${runId}.${dependency}` : runId}${instance ? `:${instance}` : ''}`;

async function cutAtProxy(proxy: PartitionProxy | undefined, spec: PartitionSpec): Promise<Applied> {
  if (!proxy) throw new Error('no partition proxy: the trial was started without partitions in its schedule');
  proxy.partition(spec);
  const atMs = now(); // [atMs, healed] is a span the cut surely held: timed once cut, and before the undoing
  const heal = async () => {
    const healedAt = now();
    proxy.heal();
    return healedAt;
  };
  return { atMs, via: 'host-pid' as const, heal };
}
