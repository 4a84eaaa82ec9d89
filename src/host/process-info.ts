import type { FdKinds } from './fd-kind.js';

// The shape of a /proc sample, apart from the code that reads /proc: records and oracles use it without touching fs.

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
  /** The fds by what they point at (absent in records written before kinds were sampled, and where fds is null). */
  fdKinds?: FdKinds;
  /**
   * Main process only: what its fds point at (`/path`, `socket:[inode]`, `pipe:[inode]`, `anon_inode:[eventpoll]`)
   * with how many fds point there, at most FD_TARGETS_KEPT (procfs.ts) of them (sockets last). Kept in a sample only when it
   * differs from the last sample that holds one: absent means "as before".
   */
  fdTargets?: Record<string, number>;
  /** Clock ticks since boot at which the process started: with the pid it names one process, even after pid reuse. */
  startTime: number;
}

/** What /proc/<pid>/stat tells of a process (no fds). */
export type ProcessStat = Omit<ProcessInfo, 'fds' | 'fdKinds' | 'fdTargets'>;
