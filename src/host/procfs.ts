import { readdirSync, readFileSync, readlinkSync, statfsSync } from 'node:fs';
import { fdKind, type FdKind, type FdKinds } from './fd-kind.js';
import type { ProcessInfo, ProcessStat } from './process-info.js';

/** Enough to show what appeared; sockets and pipes beyond this are counted in fdKinds all the same. */
export const FD_TARGETS_KEPT = 40;

export function readStat(pid: number): ProcessStat | undefined {
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

/** The pids /proc lists now. */
export const pids = (): number[] => readdirSync('/proc').flatMap((entry) => (/^\d+$/.test(entry) ? [Number(entry)] : []));

/** statfs's magic number of procfs. */
const PROC_SUPER_MAGIC = 0x9fa0;
let kernelLoadavg: boolean | undefined;

/**
 * The pid most recently handed out in this pid namespace (/proc/loadavg's last field); undefined when unreadable, or
 * when /proc/loadavg is not the kernel's: lxcfs (FUSE, mounted over it in some containers) shows the largest pid of
 * the container's cgroup there, refreshed every 5 s. While it stays the same, no process (nor thread: threads take
 * pids too) has been created.
 */
export function lastPid(): number | undefined {
  try {
    kernelLoadavg ??= statfsSync('/proc/loadavg').type === PROC_SUPER_MAGIC;
    if (!kernelLoadavg) return undefined;
    const last = Number(readFileSync('/proc/loadavg', 'latin1').trimEnd().split(' ').at(-1));
    return Number.isInteger(last) ? last : undefined;
  } catch {
    return undefined;
  }
}

export function allProcesses(): ProcessStat[] {
  const out: ProcessStat[] = [];
  for (const pid of pids()) {
    const stat = readStat(pid);
    if (stat) out.push(stat);
  }
  return out;
}

/** Every process below `pid` in the parent tree (children, grandchildren, …). */
export function descendants(pid: number, all: ProcessStat[] = allProcesses()): ProcessStat[] {
  const byParent = new Map<number, ProcessStat[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: ProcessStat[] = [];
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
export const sessionMembers = (sid: number, all: ProcessStat[] = allProcesses()): ProcessStat[] => all.filter((p) => p.sid === sid);

/**
 * The fds of one process, by kind, and (with `targets`) what they point at. One readdir and one readlink per fd:
 * the cost of a sample. An fd closed between the two is skipped.
 */
export function fdDetail(pid: number, targets: boolean): Pick<ProcessInfo, 'fds' | 'fdKinds' | 'fdTargets'> {
  const links = fdLinks(pid);
  if (!links) return { fds: null };
  const kinds: FdKinds = { socket: 0, pipe: 0, anon: 0, file: 0, other: 0 };
  const seen = targets ? new Map<string, number>() : undefined;
  for (const target of links) {
    kinds[fdKind(target)]++;
    seen?.set(target, (seen.get(target) ?? 0) + 1);
  }
  return { fds: links.length, fdKinds: kinds, ...(seen ? { fdTargets: keptTargets(seen) } : {}) };
}

/** What each open fd of a process points at; undefined once it is gone (an fd closed between the reads is skipped). */
function fdLinks(pid: number): string[] | undefined {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  return names.flatMap((name) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${name}`)];
    } catch {
      return [];
    }
  });
}

const SOCKETISH = new Set<FdKind>(['socket', 'pipe']);

/** Files and anon inodes first (what a reload leaks by name), then sockets and pipes; bounded. */
function keptTargets(seen: Map<string, number>): Record<string, number> {
  const rank = (t: string) => (SOCKETISH.has(fdKind(t)) ? 1 : 0);
  const kept = [...seen.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)).slice(0, FD_TARGETS_KEPT);
  return Object.fromEntries(kept.map((t) => [t, seen.get(t)!]));
}

/** /proc details of each process; `mainPid` also gets its fd targets. */
export const withFds = (stats: ProcessStat[], mainPid?: number): ProcessInfo[] =>
  stats.map((s) => ({ ...s, ...fdDetail(s.pid, s.pid === mainPid) }));

/** True when `pid` still names the process that started at `startTime` (guards against pid reuse). */
export const isSameProcess = (pid: number, startTime: number): boolean => readStat(pid)?.startTime === startTime;

export const isAlive = (pid: number): boolean => {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
};

/** The inodes of the sockets a process holds (`socket:[123]` among its fds); empty once it is gone. */
export const socketInodes = (pid: number): Set<string> =>
  new Set((fdLinks(pid) ?? []).flatMap((target) => /^socket:\[(\d+)\]$/.exec(target)?.slice(1, 2) ?? []));

/** The lines of a process's view of the TCP tables (IPv4 and IPv6), or none once it is gone. */
export function tcpTableLines(pid: number): string[] {
  return ['tcp', 'tcp6'].flatMap((t) => {
    try {
      return readFileSync(`/proc/${pid}/net/${t}`, 'utf8').split('\n').slice(1);
    } catch {
      return [];
    }
  });
}
