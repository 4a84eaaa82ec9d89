import { killByPid, recipientsOf } from '../../host/kill.js';
import type { ProcessInfo } from '../../host/process-info.js';
import { descendants, isSameProcess, readStat, withFds } from '../../host/procfs.js';
import type { Recipient, Recipients } from '../../host/recipient.js';
import type { SignalName } from '../../signals.js';
import { now } from '../../time.js';
import type { Applied, Delivery, PartitionSpec, RawExit } from '../target.js';
import type { DockerContainer } from './engine.js';
import { cutNamespace, partitionRules } from './iptables.js';

/** A running container as its faults see it: the API handle, its main process on the host, the ports it declares. */
export interface RunningContainer {
  container: DockerContainer;
  /** Host pid of the container's PID 1. */
  pid: number;
  /** Its start time, when /proc shows it: the pid may name another process later. */
  startTime: number | undefined;
  /** Root on the Docker host: the container's host pids, /proc entries and network namespace are in reach. */
  hostPids: boolean;
  /** Signals go by host pid (exact, and they reach groups and children); else through the API, to PID 1 only. */
  signalByPid: boolean;
  ports: number[];
  /** Set once the engine reported the main process's exit. */
  mainExit: () => RawExit | undefined;
}

export async function signalContainer(c: RunningContainer, signals: readonly SignalName[], to: Recipient): Promise<Delivery[]> {
  if (!c.signalByPid) {
    if (to !== 'main') throw new Error(`signalling the ${to} of a container needs root on the Docker host`);
    // Sent together, like the kills below; each is timed when its request goes out.
    return Promise.all(
      signals.map(async (signal) => {
        const atMs = now();
        await c.container.kill({ signal });
        return { atMs, via: 'docker-api' as const, pids: [c.pid] };
      }),
    );
  }
  ensureRunning(c);
  return killByPid(c.pid, signals, to, groupOf(c, to));
}

export function containerRecipients(c: RunningContainer, to: Recipient): Recipients | undefined {
  if (!c.signalByPid) return undefined;
  ensureRunning(c);
  return recipientsOf(c.pid, to, groupOf(c, to));
}

/**
 * The cgroup freezer stops every process of the container at once, where SIGSTOP would race with forks. Times
 * bracket the span the fault surely held: from the freeze's acknowledgement to the thaw's request.
 */
export async function freezeContainer(container: DockerContainer): Promise<Applied> {
  await container.pause();
  const atMs = now();
  const heal = async () => {
    const healedAt = now(); // like every API delivery: the moment the request went out
    await container.unpause();
    return healedAt;
  };
  return { atMs, via: 'docker-api' as const, heal };
}

/** iptables rules in the container's network namespace, on the ports it declares. */
export async function cutContainer(c: RunningContainer, spec: PartitionSpec): Promise<Applied> {
  if (!c.hostPids) throw new Error('partitioning a container needs root on the Docker host (iptables in its namespace)');
  if (c.ports.length === 0) throw new Error('the container declares no `ports` to cut');
  const undo = await cutNamespace(c.pid, partitionRules(c.ports, spec));
  const atMs = now(); // the rules are in place
  const heal = async () => {
    const healedAt = now();
    await undo();
    return healedAt;
  };
  return { atMs, via: 'host-pid' as const, heal };
}

/** The container's processes from the host's /proc (none without root there, or once it exited). */
export function containerProcesses(c: RunningContainer): ProcessInfo[] {
  if (c.mainExit() || !c.hostPids) return [];
  const main = readStat(c.pid);
  return main ? withFds([main, ...descendants(c.pid)], c.pid) : [];
}

/** The engine learns of an exit late: make sure the pid still names the container's process. */
function ensureRunning(c: RunningContainer): void {
  if (c.mainExit() || !isSameProcess(c.pid, c.startTime!)) throw new Error('the container has exited');
}

const groupOf = (c: RunningContainer, to: Recipient) => (to === 'group' ? (readStat(c.pid)?.pgid ?? c.pid) : c.pid);
