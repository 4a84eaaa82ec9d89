import type { BackendName } from '../backends/target.js';
import type { LogLine } from '../backends/logs.js';
import type { Executable, ProcessInfo } from '../host/process-info.js';
import type { SocketConn } from '../host/tcp-table.js';
import type { PlayedEvent } from '../schedule/played.js';
import type { RolloutPlan } from '../rollout/plan.js';
import type { RotationChange, Route } from '../rollout/rotation.js';
import type { ClientConnection, LedgerEntry, LoopLate } from '../workload/ledger.js';
import type { OracleSettings } from '../scenario/types.js';
import type { Schedule } from '../schedule/event.js';
import type { SignalExpectation } from '../scenario/types.js';
import type { SignalName } from '../signals.js';
import type { StopRecord } from '../stop-models/model.js';
import type { TrialTiming } from './timing.js';

/**
 * Everything observed in one trial, as plain JSON. Oracles judge this alone, so a saved record can be judged
 * again offline. All `…Ms` times are milliseconds after the target became ready, on one monotonic clock.
 */
export interface TrialRecord {
  scenario: { name: string; path: string };
  backend: BackendName;
  runId: string;
  /** What must hold, per signal, as the scenario declared it (defaults filled in). */
  expect: Partial<Record<SignalName, SignalExpectation>>;
  oracles: OracleSettings;
  stopSignal: SignalName;
  stopGracePeriodMs: number;
  target: { id: string; pid: number; image?: string; endpoint?: { host: string; port: number } };
  /** Wall-clock time of readiness, for humans. */
  readyAt: string;
  /** CLOCK_MONOTONIC at readiness (ms): relates the record's times to clocks of other processes on the host. */
  readyMonotonicMs: number;
  spawnToReadyMs: number;
  /**
   * The target exited during its start-up, after a signal timed from its spawn (`from: spawn`), and never became
   * ready: times are then counted from the moment its exit was seen, and no traffic was sent.
   */
  exitedInStartup?: boolean;
  schedule: Schedule;
  events: PlayedEvent[];
  /** How precise the schedule's signals were (absent when none was sent, and in records written before it was kept). */
  timing?: TrialTiming;
  checks: AliveCheck[];
  /** The orchestrator's stop sequence, step by step, when one was played (absent: the trial ended otherwise). */
  stop?: StopRecord;
  exit: ExitRecord;
  samples: ProcessSample[];
  /**
   * What the target's processes ran, one entry per process the samples saw (and per exec): the executable's path and
   * what its file says of the runtime (a Go binary's build info). Diagnoses name the target's runtime from it. Absent in
   * records written before it was kept.
   */
  executables?: Executable[];
  /** Every request of the workload, in send order. */
  ledger: LedgerEntry[];
  /** The workload's TCP connections, connect to close (absent in records written before it was kept). */
  connections?: ClientConnection[];
  /** When the workload's event loop ran 5 ms or more late (absent: never, or a record written before it was kept). */
  loopLate?: LoopLate[];
  /**
   * The target's connections on its port, read from /proc around each terminating signal sent to it: whether it had
   * taken a request up (absent where none was watched: no such signal, no port, signals by the Docker API).
   */
  sockets?: SocketEvidence;
  /**
   * The acknowledged writes as read back after the trial: `file` names where (a file, a command against a dependency,
   * or a GET per id), `ids` those found stored, `unread` those whose read failed (neither stored nor proven lost).
   */
  readback?: { file: string; ids: number[]; unread?: number[]; error?: string };
  /** Where the jobs went, read back after the trial (a `jobs` workload). */
  jobs?: JobsRecord;
  /** The services the target depended on, started before it (absent for a target alone). */
  dependencies?: DependencyRecord[];
  /** Files the target had to remove, or to leave, by the time it was gone (`oracles.handles.removed_on_exit`, `kept_on_exit`). */
  /** `must` is absent in records written before `kept_on_exit` existed: those are all `removed`. */
  files: { path: string; exists: boolean; must?: 'removed' | 'kept' }[];
  logs: LogLine[];
  /**
   * The changes to the data directory's files as the watch read them (ms after readiness; the first WRITES_KEPT;
   * absent when the directory could not be watched): amplify re-times a failing trial's signal from the write that
   * came nearest before it (src/fuzz/closer-anchors.ts).
   */
  writes?: { atMs: number; name: string }[];
  /**
   * A rolling update of replicas behind sigstorm's load balancer (docs/rollouts.md): then the record's own target is
   * the balancer, its times count from when the workload started, and each old replica's stop is judged in its lane.
   */
  rollout?: RolloutRecord;
}

/** A rollout as it was played: the plan, the balancer's rotation and routes, one lane per replica. Times as the record's. */
export interface RolloutRecord {
  plan: RolloutPlan;
  balancer: RolloutPlan['balancer'];
  beganMs: number;
  /** When the last old replica was gone and every new one available (absent: cut short). */
  endedMs?: number;
  replicas: ReplicaLane[];
  rotation: RotationChange[];
  routes: Route[];
  /** Ledger id → the replica the balancer sent that request's connection to. */
  routedTo: Record<number, string>;
}

/** One replica from its start to its end (or to the trial's end, for the new ones). */
export interface ReplicaLane {
  name: string;
  version: 'v1' | 'v2';
  /** What it ran: the process form's command (argv), or the container form's entrypoint and command (often none). */
  command: string[];
  /** The image its container ran (docker backend). */
  image?: string;
  pid: number;
  /** Where the balancer reached it on the host: its loopback port, or its container's published port. */
  port: number;
  startedMs: number;
  readyMs?: number;
  /** min_ready after ready: counted available by the rollout. */
  availableMs?: number;
  stopBeganMs?: number;
  /** The endpoint-removal lag played for its stop. */
  endpointLagMs?: number;
  /** Its stop signal's delivery. */
  signalMs?: number;
  exitMs?: number;
  status?: number;
  /** An old replica's own record (its stop, exit, logs, the requests sent to it), judged as a single target's is. */
  record?: TrialRecord;
}

/** The jobs as read back once the worker was gone: `done` once per time a job was done, `queued` per pending list. */
export interface JobsRecord {
  done: number[];
  queued: number[];
  /** The scenario's `exactly_once`: a job done twice, or done and still queued, is a failure. */
  exactlyOnce: boolean;
  /** Why the read-back is incomplete: the jobs cannot be judged. */
  error?: string;
}

export interface DependencyRecord {
  name: string;
  id: string;
  pid: number;
  image?: string;
  /** When it was ready: before the target, so negative. */
  readyMs: number;
  spawnToReadyMs: number;
  /** What must hold when it is signalled (empty: nothing but staying up while unsignalled). */
  expect: Partial<Record<SignalName, SignalExpectation>>;
  /** How it ended, when it exited before sigstorm stopped the stack at the end of the trial. */
  exit?: { status: number; atMs: number };
}

export interface ExitRecord {
  exitCode: number | null;
  signal: SignalName | null;
  /** Comparable across backends: the exit code, or 128 + n for a process killed by signal n. */
  status: number;
  atMs: number;
  /** sigstorm had to SIGKILL the target (or what was left of it) after the grace period. */
  forcedKill: boolean;
  /** When sigstorm sent that SIGKILL. */
  killedAtMs?: number;
  /** Processes of the target still running when sigstorm gave up waiting (before the SIGKILL). */
  lingering: ProcessInfo[];
}

// A stop model's record (stop-models/model.ts), where the rest of the record is.
export type { StopRecord, StopStep } from '../stop-models/model.js';

/** When new connections stopped arriving (the endpoints dropped the target), if the stop model says. */
export const trafficStoppedMs = (record: Pick<TrialRecord, 'stop'>): number | undefined => record.stop?.steps.find((s) => s.step === 'traffic-stop')?.atMs;

/** After a signal expected to be survived: was the target still running, and still ready? */
export interface AliveCheck {
  /** Index into `events`. */
  event: number;
  atMs: number;
  alive: boolean;
  ready: { ok: boolean; detail: string } | null;
}

/** Reads of the target's TCP table (`/proc/<pid>/net/tcp{,6}`, its own network namespace), in time order. */
export interface SocketEvidence {
  /** The target's port there: the connections to it are the ones kept. */
  port: number;
  snapshots: SocketSnapshot[];
}

export interface SocketSnapshot {
  /** When the read began. */
  atMs: number;
  /** When it ended (a read of a busy host's table takes some ms): a connection it no longer holds was gone by then. */
  doneMs?: number;
  /** Before the signal (as the watch began, and again just before it), right after it, or while the target stopped. */
  at: 'before' | 'after' | 'tick';
  /** Absent: as in the snapshot before. */
  conns?: SocketConn[];
  /** The read failed (the target gone): no evidence from this one. */
  error?: string;
}

export interface ProcessSample {
  /** When the reading began. */
  atMs: number;
  /**
   * When it ended: reading /proc takes a few ms and can be held up on a busy machine, so a sample that began before a
   * signal may show the process after it. Absent in records written before it was kept.
   */
  doneMs?: number;
  processes: ProcessInfo[];
  /**
   * The files of the trial's data directory by when each was last written (mtime, ms after readiness), kept in a sample
   * only when they differ from the last sample that holds them: absent means "as before". A snapshot rewritten every
   * 2 s shows here even when it is held open for a millisecond.
   */
  written?: Record<string, number>;
}

/** When a sample's reading had ended: what it shows was so by then. */
export const sampleDoneMs = (s: ProcessSample): number => s.doneMs ?? s.atMs;
