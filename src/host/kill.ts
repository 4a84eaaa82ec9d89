import type { SignalName } from '../signals.js';
import { now } from '../time.js';
import { allProcesses, descendants } from './procfs.js';
import type { Recipient } from './recipient.js';

/**
 * Sends each of `signals` by host pid to the main process, its process group (`pgid`), or every process below
 * it. Recipients are found once, before the first kill, so the kills of a race run back to back in one loop.
 * Returns the deliveries made: fewer than `signals` when the recipient was gone after an earlier one (a process
 * that ends at once on the first signal of a race can be reaped before the second; the first still counts).
 */
export function killByPid(pid: number, signals: readonly SignalName[], to: Recipient, pgid = pid): { atMs: number; via: 'host-pid'; pids: number[] }[] {
  const all = to === 'main' ? [] : allProcesses();
  const pids = to === 'main' ? [pid] : to === 'group' ? all.filter((p) => p.pgid === pgid).map((p) => p.pid) : descendants(pid, all).map((p) => p.pid);
  const deliveries: { atMs: number; via: 'host-pid'; pids: number[] }[] = [];
  for (const signal of signals) {
    const atMs = now();
    try {
      if (to === 'group') process.kill(-pgid, signal);
      else for (const p of pids) process.kill(p, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH' && deliveries.length > 0) break;
      throw error;
    }
    deliveries.push({ atMs, via: 'host-pid', pids });
  }
  return deliveries;
}
