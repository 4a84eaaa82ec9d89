import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it. `fds` is null where /proc/<pid>/fd is not readable. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** R running, S sleeping, D disk wait, Z zombie, T stopped, … */
  state: string;
  comm: string;
  fds: number | null;
  /** Clock ticks since boot at which the process started: with the pid it names one process, even after pid reuse. */
  startTime: number;
}

type Stat = Omit<ProcessInfo, 'fds'>;

export function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may hold spaces and parentheses: it ends at the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' ');
  return { pid, comm, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]), startTime: Number(f[19]) };
}

export function fdCount(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

export function allProcesses(): Stat[] {
  const out: Stat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) out.push(stat);
  }
  return out;
}

/** Every process below `pid` in the parent tree (children, grandchildren, …). */
export function descendants(pid: number, all: Stat[] = allProcesses()): Stat[] {
  const byParent = new Map<number, Stat[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: Stat[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Processes of a session: what a target started with setsid left behind, even after re-parenting to init. */
export const sessionMembers = (sid: number, all: Stat[] = allProcesses()): Stat[] => all.filter((p) => p.sid === sid);

export const withFds = (stats: Stat[]): ProcessInfo[] => stats.map((s) => ({ ...s, fds: fdCount(s.pid) }));

/** True when `pid` still names the process that started at `startTime` (guards against pid reuse). */
export const isSameProcess = (pid: number, startTime: number): boolean => readStat(pid)?.startTime === startTime;

export const isAlive = (pid: number): boolean => {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
};
