import type { ProcessInfo } from '../host/process-info.js';
import type { Recipient, Recipients } from '../host/recipient.js';
import type { SignalName } from '../signals.js';
import type { DeliveryPath } from '../schedule/played.js';
import type { LogBuffer } from './logs.js';

export type { Recipient, Recipients };
export type BackendName = 'docker' | 'process';

/** How the target ended, as both backends report it. Times are on the trial's monotonic clock. */
export interface RawExit {
  /** The exit code, when the process exited by itself. */
  exitCode: number | null;
  /** The terminating signal, when the kernel reports one (process backend). Docker only reports 128 + n. */
  signal: SignalName | null;
  atMs: number;
}

export interface Delivery {
  atMs: number;
  via: DeliveryPath;
  pids: number[];
}

/** How a stop hook ended: its exit code, or null (still running when the wait for it ended, or not started: `error`). */
export interface HookRun {
  exitCode: number | null;
  error?: string;
}

/** Which traffic a partition cuts, and how: packets dropped, or connections reset at once. */
export interface PartitionSpec {
  direction: 'in' | 'out' | 'both';
  mode: 'drop' | 'reject';
}

/**
 * An applied fault that lasts. `atMs` is when it surely took effect; `heal` undoes it and resolves with the time
 * the undoing began, so [atMs, healed] is a span during which the fault surely held.
 */
export interface Applied {
  atMs: number;
  via: Delivery['via'];
  heal: () => Promise<number>;
}

/** The faults one running service takes, one method per kind of fault. */
export interface ServiceFaults {
  /** Delivers the signals in order, back to back (one for a plain signal, several for a race). */
  signal(signals: readonly SignalName[], to: Recipient): Promise<Delivery[]>;
  /**
   * The host pids `signal` would reach now, so they can be signalled later at an exact instant; undefined when this
   * service's signals do not go by host pid. Throws, as `signal` would, when the recipient has exited.
   */
  recipients(to: Recipient): Recipients | undefined;
  /** Freezes every process of the target until the returned heal thaws it. */
  pause(): Promise<Applied>;
  /** Cuts traffic between the workload and the target until the returned heal restores it. */
  partition(spec: PartitionSpec): Promise<Applied>;
}

/** A running target. Disposal removes everything the backend created for it, whatever state it is in. */
export interface StartedTarget extends ServiceFaults, AsyncDisposable {
  readonly backend: BackendName;
  /** Container id or main pid. */
  readonly id: string;
  /** The image a container runs (docker backend). */
  readonly image?: string;
  /** Host pid of the main process (container PID 1 for docker). */
  readonly pid: number;
  /** Where the HTTP readiness probe and the workload reach the target. */
  readonly endpoint: { host: string; port: number } | undefined;
  /**
   * Where the service itself listens on the port a TCP readiness probe asks for (a container's own address, a
   * process's loopback port), past any proxy in front of it that would accept a connection before it listens.
   */
  readonly listening?: { host: string; port: number };
  /** The port the other services of a stack reach it on: its first container port, or its loopback port. */
  readonly servicePort?: number;
  /**
   * Where a program on the host reaches `servicePort` (a rollout's load balancer): the process's own loopback port,
   * or the container's port published on loopback.
   */
  readonly hostPort?: number;
  /** Its address on the stack network (docker). */
  readonly networkAddress?: string;
  /** The engine's healthcheck status (docker; undefined when it has none or cannot say). */
  health?(): Promise<'starting' | 'healthy' | 'unhealthy' | undefined>;
  readonly logs: LogBuffer;
  readonly spawnedAtMs: number;
  /** Set once the main process has exited. */
  readonly mainExit: RawExit | undefined;
  /**
   * Whether the host saw the main process end before its exit was reported (docker, by host pid: the engine reports
   * an exit ~100 ms after it, seconds on a loaded machine); absent where the exit is known at once.
   */
  mainGone?(): boolean;
  /** Settles when the main process exits. */
  readonly exited: Promise<RawExit>;
  /** Resolves when the target is gone (its main process exited and nothing of it is left), or undefined at `untilMs` or on abort. */
  waitGone(untilMs: number, abort?: AbortSignal): Promise<RawExit | undefined>;
  /** Processes belonging to the target right now (main first when alive). */
  processes(): ProcessInfo[];
  /**
   * Runs a stop hook (preStop exec, ExecStop) where the target runs: in its container, or as a process of it (its
   * directory, environment and owner token). Its output goes into `logs`; resolves with its exit code once it ends,
   * or with null when `abort` fires first (a hook still running dies with the target).
   */
  hook(command: readonly string[], logs: LogBuffer, abort: AbortSignal): Promise<HookRun>;
  /** SIGKILL whatever is left of the target and wait until it is gone. */
  kill(): Promise<RawExit>;
}
