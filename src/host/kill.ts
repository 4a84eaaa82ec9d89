import type { SignalName } from '../signals.js';
import { now } from '../time.js';
import { allProcesses, descendants } from './procfs.js';
import type { Recipient, Recipients } from './recipient.js';

/** The host pids behind a recipient of the process `pid`: itself, its process group `pgid`, every process below it, or it and those. */
export function recipientsOf(pid: number, to: Recipient, pgid = pid): Recipients {
  if (to === 'main') return { kill: [pid], pids: [pid] };
  const all = allProcesses();
  if (to === 'group') return { kill: [-pgid], pids: all.filter((p) => p.pgid === pgid).map((p) => p.pid) };
  const pids = descendants(pid, all).map((p) => p.pid);
  return to === 'all' ? { kill: [pid, ...pids], pids: [pid, ...pids] } : { kill: pids, pids };
}

/**
 * Sends each of `signals` by host pid to the main process, its process group (`pgid`), or every process below
 * it. Recipients are found once, before the first kill, so the kills of a race run back to back in one loop.
 * Returns the deliveries made: fewer than `signals` when the recipient was gone after an earlier one (a process
 * that ends at once on the first signal of a race can be reaped before the second; the first still counts).
 */
export function killByPid(pid: number, signals: readonly SignalName[], to: Recipient, pgid = pid): { atMs: number; via: 'host-pid'; pids: number[] }[] {
  return killRecipients(recipientsOf(pid, to, pgid), signals);
}

/** Sends each of `signals` to recipients found beforehand (see killByPid). */
export function killRecipients({ kill, pids }: Recipients, signals: readonly SignalName[]): { atMs: number; via: 'host-pid'; pids: number[] }[] {
  const deliveries: { atMs: number; via: 'host-pid'; pids: number[] }[] = [];
  for (const signal of signals) {
    const atMs = now();
    try {
      for (const p of kill) process.kill(p, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH' && deliveries.length > 0) break;
      throw error;
    }
    deliveries.push({ atMs, via: 'host-pid', pids });
  }
  return deliveries;
}
