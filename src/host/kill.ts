import type { SignalName } from '../signals.js';
import { now } from '../time.js';
import { allProcesses, descendants } from './procfs.js';
import type { Recipient } from './recipient.js';

/**
 * Sends each of `signals` by host pid to the main process, its process group (`pgid`), or every process below
 * it. Recipients are found once, before the first kill, so the kills of a race run back to back in one loop.
 */
export function killByPid(pid: number, signals: readonly SignalName[], to: Recipient, pgid = pid): { atMs: number; via: 'host-pid'; pids: number[] }[] {
  const all = to === 'main' ? [] : allProcesses();
  const pids = to === 'main' ? [pid] : to === 'group' ? all.filter((p) => p.pgid === pgid).map((p) => p.pid) : descendants(pid, all).map((p) => p.pid);
  return signals.map((signal) => {
    const atMs = now();
    if (to === 'group') process.kill(-pgid, signal);
    else for (const p of pids) process.kill(p, signal);
    return { atMs, via: 'host-pid', pids };
  });
}
