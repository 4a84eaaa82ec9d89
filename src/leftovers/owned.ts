import { readFileSync } from 'node:fs';
import type { ProcessInfo } from '../host/process-info.js';
import { allProcesses } from '../host/procfs.js';

/**
 * Host processes carry no labels, but they inherit their environment: every process a target starts, even one
 * that calls setsid or is re-parented to init, keeps the token sigstorm put in the target's environment. Tokens
 * accumulate, so the targets of a sigstorm that is itself a target are found by both.
 */
export const OWNER_ENV = 'SIGSTORM_OWNER';

export const ownerEnv = (token: string): Record<string, string> => ({
  [OWNER_ENV]: [process.env[OWNER_ENV], token].filter(Boolean).join(' '),
});

/** The tokens in the environment of `pid` ([] when unreadable or none). */
export const ownerTokens = (pid: number): string[] => readOwnerTokens(pid) ?? [];

/**
 * The tokens in the environment of `pid`, or undefined when it cannot be told now: unreadable, or empty, as a
 * process's environment reads while it execs (and a kernel thread's always).
 */
export function readOwnerTokens(pid: number): string[] | undefined {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
  if (environ === '') return undefined;
  const entry = environ.split('\0').find((e) => e.startsWith(`${OWNER_ENV}=`));
  return entry ? entry.slice(OWNER_ENV.length + 1).split(' ') : [];
}

/**
 * Live processes (zombies excluded) whose environment holds `token`. Processes started before `since` (clock ticks
 * since boot, like ProcessInfo.startTime) cannot hold it, and their environment is not read.
 */
export const ownedProcesses = (token: string, since = 0): Omit<ProcessInfo, 'fds'>[] => allProcesses().filter((p) => holdsToken(p, token, since));

/** A live process (not sigstorm itself) started at `since` or later whose environment holds `token`. */
export const holdsToken = (p: Pick<ProcessInfo, 'pid' | 'state' | 'startTime'>, token: string, since = 0): boolean =>
  p.startTime >= since && p.pid !== process.pid && p.state !== 'Z' && ownerTokens(p.pid).includes(token);

/** SIGKILLs every process holding `token` (started at `since` or later); returns how many were signalled. */
export function killOwned(token: string, since = 0): number {
  let killed = 0;
  for (const p of ownedProcesses(token, since)) {
    try {
      process.kill(p.pid, 'SIGKILL');
      killed++;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}
