import { attribute } from '../rollout/rotation.js';
import { monotonicOffsetMs } from '../time.js';
import type { ClientConnection, LedgerEntry } from '../workload/ledger.js';
import { exitRecordOf } from './build-record.js';
import type { ExitRecord, ReplicaLane, TrialRecord } from './record.js';
import type { Fleet, Replica } from './replica.js';
import type { TrialOptions } from './state.js';

/** What a finished rollout trial left to record. */
export interface PlayedRollout {
  options: TrialOptions;
  fleet: Fleet;
  replicas: Replica[];
  ledger: LedgerEntry[];
  connections: ClientConnection[];
  readyAt: string;
  endedMs?: number;
}

/**
 * The rollout's record: the balancer as the record's target, every request of the workload on its ledger, and a lane
 * per replica; each old replica's lane holds a record of its own (its stop, exit, logs and the requests the balancer
 * sent it), the shape a single target's trial has, so the same oracles judge it. Times count from the workload's start.
 */
export function rolloutRecord(played: PlayedRollout): TrialRecord {
  const { fleet, replicas, ledger } = played;
  const rel = (ms: number) => ms - fleet.originMs;
  const routes = fleet.balancer.routes.map((r) => ({ ...r, acceptedMs: rel(r.acceptedMs), ...(r.upstreamMs !== undefined ? { upstreamMs: rel(r.upstreamMs) } : {}) }));
  const routedTo = Object.fromEntries([...attribute(ledger, routes)].flatMap(([id, r]) => (r.replica ? [[id, r.replica] as const] : [])));
  const lanes = replicas.map((r) => lane(played, r, ledger.filter((e) => routedTo[e.id] === r.name)));
  const last = Math.max(0, ...ledger.map((e) => e.endMs));
  return {
    ...shared(played),
    target: { id: `balancer:${fleet.balancer.port}`, pid: process.pid, endpoint: { host: '127.0.0.1', port: fleet.balancer.port } },
    spawnToReadyMs: 0,
    // The schedule's faults as each replica's player played them, and the readiness flaps: each names its replica.
    events: replicas.flatMap((r) => [...(r.player?.played ?? []).filter((e) => e.origin === 'schedule'), ...(r.flaps?.played ?? [])]).sort((a, b) => a.at - b.at),
    checks: [],
    // The balancer itself does not exit: this is when the trial ended, for reports that draw an end.
    exit: { exitCode: 0, signal: null, status: 0, atMs: played.endedMs !== undefined ? rel(played.endedMs) : last, forcedKill: false, lingering: [] },
    ledger,
    connections: played.connections,
    logs: [],
    rollout: {
      plan: fleet.plan,
      balancer: fleet.balancer.kind,
      beganMs: rel(fleet.beganMs),
      ...(played.endedMs !== undefined ? { endedMs: rel(played.endedMs) } : {}),
      replicas: lanes,
      rotation: fleet.balancer.rotation.map((c) => ({ ...c, atMs: rel(c.atMs) })),
      routes,
      routedTo,
    },
  };
}

/** The fields every record of the trial has alike: the rollout's and each lane's. */
function shared({ options, fleet, readyAt }: PlayedRollout): Omit<TrialRecord, 'target' | 'spawnToReadyMs' | 'events' | 'checks' | 'exit' | 'ledger' | 'logs'> {
  const { scenario } = options;
  return {
    scenario: { name: scenario.name, path: scenario.path },
    backend: fleet.backend.name,
    runId: options.runId,
    expect: scenario.expect,
    oracles: scenario.oracles,
    stopSignal: scenario.target.stopSignal,
    stopGracePeriodMs: scenario.target.stopGracePeriod,
    readyAt,
    readyMonotonicMs: fleet.originMs + monotonicOffsetMs(),
    schedule: options.schedule,
    samples: [],
    files: [],
  };
}

/** One replica's lane; an old one's with its own record. */
function lane(played: PlayedRollout, r: Replica, routed: LedgerEntry[]): ReplicaLane {
  const rel = (ms: number) => ms - played.fleet.originMs;
  const { started, stopped } = r;
  const signal = stopped?.record.steps.find((s) => s.step === 'signal');
  return {
    name: r.name,
    version: r.version,
    command: started.backend === 'docker' ? [...(r.spec.container?.entrypoint ?? []), ...(r.spec.container?.command ?? [])] : (r.spec.process?.command ?? []),
    ...(started.image ? { image: started.image } : {}),
    pid: started.pid,
    port: started.hostPort ?? 0,
    startedMs: rel(r.startedMs),
    ...(r.readyMs !== undefined ? { readyMs: rel(r.readyMs) } : {}),
    ...(r.availableMs !== undefined ? { availableMs: rel(r.availableMs) } : {}),
    ...(r.stopBeganMs !== undefined ? { stopBeganMs: rel(r.stopBeganMs) } : {}),
    ...(r.endpointLagMs !== undefined ? { endpointLagMs: r.endpointLagMs } : {}),
    ...(signal ? { signalMs: signal.atMs } : {}),
    ...(stopped ? { exitMs: rel(stopped.raw.atMs), status: exitOf(stopped, rel).status, record: replicaRecord(played, r, routed) } : {}),
  };
}

function exitOf(stopped: NonNullable<Replica['stopped']>, rel: (ms: number) => number): ExitRecord {
  return exitRecordOf(stopped.raw, stopped.killedAtMs, stopped.lingering, rel);
}

/** An old replica's stop as a single target's record: what the oracles judge it by. */
function replicaRecord(played: PlayedRollout, r: Replica, routed: LedgerEntry[]): TrialRecord {
  const rel = (ms: number) => ms - played.fleet.originMs;
  const { started, stopped } = r;
  return {
    ...shared(played),
    target: { id: started.id, pid: started.pid, ...(started.endpoint ? { endpoint: started.endpoint } : {}) },
    spawnToReadyMs: (r.readyMs ?? r.startedMs) - started.spawnedAtMs,
    events: r.player?.played ?? [],
    checks: [],
    stop: stopped!.record,
    exit: exitOf(stopped!, rel),
    ledger: routed,
    logs: started.logs.lines.slice(-1000).map((l) => ({ ...l, atMs: rel(l.atMs) })),
  };
}
