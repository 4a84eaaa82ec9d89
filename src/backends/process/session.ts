import type { ProcessStat } from '../../host/process-info.js';
import { isSameProcess, sessionMembers } from '../../host/procfs.js';
import { killOwned, ownerTokens } from '../../leftovers/owned.js';

/**
 * The session `sid` is still the target's: its leader is, or a member still holds the token (pids are reused). The
 * members are only looked for when the leader is gone.
 */
export const sessionIsOurs = (sid: number, startTime: number, token: string, session: () => ProcessStat[] = () => sessionMembers(sid)): boolean =>
  isSameProcess(sid, startTime) || session().some((p) => ownerTokens(p.pid).includes(token));

/**
 * SIGKILL whatever holds the token, then the session: its group and any member that moved to a group of its own.
 * The session is only ours while its leader is, or while a member still holds the token (pid reuse).
 */
export function killSession(sid: number, startTime: number, token: string): void {
  // Only processes younger than the target can hold its token: older ones' environments are not read.
  killOwned(token, startTime);
  const session = sessionMembers(sid);
  if (!sessionIsOurs(sid, startTime, token, () => session)) return;
  try {
    process.kill(-sid, 'SIGKILL');
  } catch {
    // group already empty
  }
  for (const p of session) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
