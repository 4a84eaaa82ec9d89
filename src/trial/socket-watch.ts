import type { StartedTarget } from '../backends/target.js';
import { startSocketReader, watchSockets } from '../host/socket-reader.js';
import type { WorkerSnapshot } from '../host/socket-watch-worker.js';
import { connectionsOn, portHex } from '../host/tcp-table.js';
import { isTerminating } from '../scenario/terminating.js';
import type { Scenario } from '../scenario/types.js';
import { serviceOf, signalsOf } from '../schedule/event.js';
import type { PlayedEvent } from '../schedule/played.js';
import type { SocketEvidence, SocketSnapshot } from './record.js';

/**
 * The `before` read starts at least this long before the signal (or twice the slowest recent read, up to 30 ms: 1.5 ms
 * each on an idle 2-core machine, tens of ms on a loaded host), in a thread of its own, so it never holds a signal
 * back; a request sent after it is seen by the read 1 ms after the signal.
 */
const LEAD_MS = 5;
/**
 * While the target stops, a read every 20 ms, 50 at most (a second): a connection's last state is then known to well
 * within the 50 ms a state stays valid for (socket-evidence.ts), at a few ms of one core per read on a busy host.
 */
const EVERY_MS = 20;
const MAX_READS = 50;

/** Watches of the target's sockets, one per terminating signal sent to it, and what they read. */
export interface SocketWatcher {
  /** Reads the target's sockets around `played`'s signal at `atMs` (the trial clock) when it is a terminating one to the target. */
  watch(played: PlayedEvent, atMs: number): void;
  /** Ends every watch still reading and gathers the evidence (undefined when nothing was watched). */
  end(): Promise<SocketEvidence | undefined>;
}

/**
 * The target's TCP table seen from its own network namespace (`/proc/<pid>/net/tcp{,6}`: a container's processes are
 * host pids too), on the port it listens on there; nothing without a port or without traffic to judge.
 */
export function socketWatcher(scenario: Scenario, target: StartedTarget, originMs: number, traffic: boolean): SocketWatcher {
  const port = target.servicePort;
  if (port !== undefined && traffic) startSocketReader();
  const ended = new AbortController();
  const reads: Promise<WorkerSnapshot[]>[] = [];
  const watch = (played: PlayedEvent, atMs: number): void => {
    if (port === undefined || !traffic || serviceOf(played) !== undefined) return;
    if (!signalsOf(played).some((sig) => isTerminating(scenario.expect, sig))) return;
    const tables = [`/proc/${target.pid}/net/tcp`, `/proc/${target.pid}/net/tcp6`];
    reads.push(watchSockets({ tables, port: portHex(port), leadMs: LEAD_MS, everyMs: EVERY_MS, max: MAX_READS }, atMs, ended.signal));
  };
  return {
    watch,
    async end() {
      ended.abort();
      if (reads.length === 0 || port === undefined) return undefined;
      const watches = await Promise.all(reads);
      return { port, snapshots: merged(watches, port, originMs) };
    },
  };
}

/** Every watch's reads in one time line, on the record's clock, each kept only where it differs from the one before. */
function merged(watches: WorkerSnapshot[][], port: number, originMs: number): SocketSnapshot[] {
  const full = watches.flatMap((reads) => {
    let lines: string[] = [];
    return reads.map((r): SocketSnapshot => {
      if (r.lines) lines = r.lines;
      const done = r.doneMs !== undefined ? { doneMs: r.doneMs - originMs } : {};
      return { atMs: r.atMs - originMs, ...done, at: r.at, ...(r.error !== undefined ? { error: r.error } : { conns: connectionsOn(lines, port) }) };
    });
  });
  full.sort((a, b) => a.atMs - b.atMs);
  let last = '';
  return full.map((s) => {
    if (!s.conns) return s;
    const key = JSON.stringify(s.conns);
    if (key === last) return { atMs: s.atMs, ...(s.doneMs !== undefined ? { doneMs: s.doneMs } : {}), at: s.at };
    last = key;
    return s;
  });
}
