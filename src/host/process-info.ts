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

/**
 * What a process runs, read once from /proc/<pid>/exe: the path of its executable (in its own mount namespace, so a
 * container's path) and, for an ELF file, whether it is one and the Go toolchain it was built with (its build info).
 */
export interface Executable {
  pid: number;
  /** With the pid it names one process (as in ProcessInfo); comm tells an exec apart. */
  startTime: number;
  comm: string;
  path: string;
  /** The file is an ELF executable whose section headers could be read (absent: a script, or unreadable headers). */
  elf?: boolean;
  /** "go1.22.3" from its .go.buildinfo section ("go" when the version is not inline), absent for anything else. */
  go?: string;
}

/** What /proc/<pid>/stat tells of a process (no fds). */
export type ProcessStat = Omit<ProcessInfo, 'fds' | 'fdKinds' | 'fdTargets'>;
