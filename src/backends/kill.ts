import type { SignalName } from '../signals.js';
import { now } from '../time.js';
import type { Delivery, Recipient } from './backend.js';
import { allProcesses, descendants } from './procfs.js';

/**
 * Sends `signal` by host pid to the main process, its process group (`pgid`), or every process below it.
 * The main path reads nothing from /proc first, so the kills of a race stay back to back.
 */
export function killByPid(pid: number, signal: SignalName, to: Recipient, pgid = pid): Delivery {
  if (to === 'main') {
    const atMs = now();
    process.kill(pid, signal);
    return { atMs, via: 'host-pid', pids: [pid] };
  }
  const all = allProcesses();
  const pids = to === 'group' ? all.filter((p) => p.pgid === pgid).map((p) => p.pid) : descendants(pid, all).map((p) => p.pid);
  const atMs = now();
  if (to === 'group') process.kill(-pgid, signal);
  else for (const p of pids) process.kill(p, signal);
  return { atMs, via: 'host-pid', pids };
}
