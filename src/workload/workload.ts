import type { Workload } from '../scenario/types.js';
import { within } from '../time.js';
import { Drive, type Driver } from './drive.js';
import { driveExec } from './exec.js';
import { driveGrpc } from './grpc.js';
import { driveHttp, hasHttp } from './http.js';
import type { Endpoint } from './http-client.js';
import { driveJobs } from './jobs.js';
import type { ClientConnection, LedgerEntry, LoopLate } from './ledger.js';
import { watchLoopLate } from './loop-late.js';
import type { RequestPhases } from './phases.js';
import { driveTcp } from './tcp.js';

/** How long operations in flight may still finish once the workload stops starting new ones. */
const SETTLE_MS = 2000;

export interface WorkloadOptions {
  workload: Workload;
  /** Where the target listens; absent for a target with no port (a queue worker). */
  endpoint?: Endpoint;
  /** Where each dependency listens, by service name (a job queue lives in one). */
  services: ReadonlyMap<string, Endpoint>;
  /** Ms on the monotonic clock that count as 0 in the ledger (the target's readiness). */
  originMs: number;
  /** The scenario's directory: relative paths (a .proto, an exec client) are resolved from it. */
  cwd: string;
  /** The trial's run id: an exec client's processes carry it in their owner token. */
  runId: string;
  /** Where HTTP request phases are announced as they happen (the player times events from them). */
  phases?: RequestPhases;
}

export interface RunningWorkload {
  /**
   * Stops starting operations, waits briefly for those in flight, and returns the ledger sorted by send time (once).
   * Rejects with an infrastructure error when a kind could not be driven (an exec client printed garbage).
   */
  stop(): Promise<LedgerEntry[]>;
  /** Starts no new operation from now on (the endpoints no longer send it any); those in flight go on. */
  endpointsRemoved(): void;
  /** Every connection the workload opened, in connect order (complete once `stop` has resolved). */
  readonly connections: ClientConnection[];
  /** When the workload's event loop ran late, so that its times did too (complete once `stop` has resolved). */
  readonly late: LoopLate[];
}

export const hasWorkload = (w: Workload): boolean =>
  hasHttp(w) || w.tcp.length > 0 || w.grpc.length > 0 || w.exec !== undefined || w.jobs !== undefined;

/** Drives every kind of the scenario's traffic from the target's readiness on, all onto one ledger. */
export function startWorkload(options: WorkloadOptions): RunningWorkload {
  const { workload, endpoint } = options;
  const drive = new Drive(options.originMs, options.phases);
  const drivers: Driver[] = [];
  const needsEndpoint = hasHttp(workload) || workload.tcp.length > 0 || workload.grpc.length > 0;
  if (needsEndpoint && endpoint) {
    if (hasHttp(workload)) drivers.push(driveHttp(workload, endpoint, drive));
    for (const spec of workload.tcp) drivers.push(driveTcp(spec, endpoint, drive));
    for (const spec of workload.grpc) drivers.push(driveGrpc(spec, endpoint, options.cwd, drive));
  }
  if (workload.exec) drivers.push(driveExec(workload.exec, endpoint, options.cwd, drive, options.runId));
  if (workload.jobs) drivers.push(driveJobs(workload.jobs, options.services, drive));

  const loop = watchLoopLate(options.originMs);
  let stopped: Promise<LedgerEntry[]> | undefined;
  return { stop: () => (stopped ??= stopOnce()), endpointsRemoved: () => drive.stop(), connections: drive.connections, late: loop.late };

  async function stopOnce(): Promise<LedgerEntry[]> {
    drive.stop();
    await Promise.all(drivers.map((d) => d.loop));
    await within(Promise.all([...drive.inFlight]), SETTLE_MS);
    drive.end();
    await Promise.all([...drive.inFlight]);
    await Promise.all(drivers.map((d) => d.close?.()));
    loop.stop();
    if (drive.failure) throw drive.failure;
    return drive.ledger.sort((a, b) => a.sentMs - b.sentMs || a.id - b.id);
  }
}
