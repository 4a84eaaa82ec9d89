import type { ProcessStat } from '../../host/process-info.js';
import { lastPid, pids, readStat } from '../../host/procfs.js';
import { readOwnerTokens } from '../../leftovers/owned.js';

/**
 * The processes of one target: its session (which survives re-parenting to init) and, among processes started no
 * earlier than it, whatever holds its token. Made before the target is spawned, then asked whenever wanted.
 *
 * A sample runs on the event loop, next to the faults, so it must be cheap: a full pass over /proc/<pid>/stat and
 * the environments costs 1–3 ms. A process seen once as not the target's is never read again: it cannot join the
 * session (setsid makes a session of its own) and its environment is fixed unless it execs with our token, which
 * only a process of ours holds. Every process alive before the spawn is such a one. What is left is one readdir of
 * /proc, a stat per member and per new pid, and an environment per new pid. An environment that cannot be read yet
 * (it reads empty while the process execs: a child that left the session by setsid and then execs its program) is
 * read again at the next pass, for up to ENVIRON_WAIT_MS after it was first found so, before the process counts as
 * foreign (a time, not a number of passes: on a busy machine an exec can take longer than many passes). A pid no longer
 * listed is forgotten: pids are handed out cyclically, so it is not reused before the counter wraps. While no pid has
 * been handed out since the last listing, that listing still holds every process alive and is used again: listing
 * /proc was the larger part of a pass (0.1–0.5 ms of 0.7 on a busy machine), made by every sample and by the
 * leftovers check after the exit.
 */
export class MemberWatch {
  private readonly foreign = new Set(pids());
  /** Whether a process holds the token: its environment is read once it can be. */
  private readonly holds = new Map<number, boolean>();
  /** When a process's environment was first found unreadable (performance.now()). */
  private readonly unread = new Map<number, number>();
  /** The last listing of /proc, and the last pid handed out just before it was made. */
  private listed: number[] = [];
  private listedAfter: number | undefined;
  /**
   * The last pid handed out before the target was spawned: the count is used only once it has moved since (the spawn
   * hands out a pid), which an emulated /proc/loadavg showing a constant never does.
   */
  private readonly before = lastPid();
  private counting = false;

  constructor(private readonly token: string) {}

  /** The target's processes now: `sid` is its session (its main pid), `since` its start time. */
  members(sid: number, since: number): ProcessStat[] {
    const members: ProcessStat[] = [];
    const last = lastPid(); // read before listing: a process created during the listing shows at the next pass
    this.counting ||= last !== undefined && this.before !== undefined && last !== this.before;
    const listed = this.counting && last === this.listedAfter ? this.listed : pids();
    [this.listed, this.listedAfter] = [listed, last];
    for (const pid of listed) {
      if (this.foreign.has(pid)) continue;
      const stat = readStat(pid);
      if (!stat) continue;
      // The session's members need no environment read, until one leaves the session.
      if (stat.sid === sid) {
        members.push(stat);
        continue;
      }
      let holder = this.holds.get(pid);
      if (holder === undefined) {
        holder = this.holder(stat, since);
        if (holder === undefined) continue; // not known yet: asked again at the next pass
        this.holds.set(pid, holder);
      }
      if (holder && stat.state !== 'Z') members.push(stat);
      else if (!holder) this.foreign.add(pid);
    }
    const alive = new Set(listed);
    for (const pid of this.foreign) if (!alive.has(pid)) this.foreign.delete(pid);
    for (const pid of this.holds.keys()) if (!alive.has(pid)) this.holds.delete(pid);
    for (const pid of this.unread.keys()) if (!alive.has(pid)) this.unread.delete(pid);
    return members;
  }

  /** Whether a process started since the target holds its token; undefined while its environment cannot be read yet. */
  private holder(stat: ProcessStat, since: number): boolean | undefined {
    if (stat.startTime < since || stat.pid === process.pid || stat.state === 'Z') return false;
    const tokens = readOwnerTokens(stat.pid);
    if (tokens !== undefined) return tokens.includes(this.token);
    const now = performance.now();
    const first = this.unread.get(stat.pid) ?? now;
    this.unread.set(stat.pid, first);
    return now - first < ENVIRON_WAIT_MS ? undefined : false;
  }
}

/** How long a process's environment may read empty (mid-exec) before it counts as not the target's (a kernel thread's always does). */
const ENVIRON_WAIT_MS = 5000;
