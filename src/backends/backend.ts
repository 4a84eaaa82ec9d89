import type { Target } from '../scenario/types.js';
import type { PartitionEvent } from '../faults/event.js';
import type { Applied } from '../faults/inject.js';
import type { SignalName } from '../signals.js';
import type { LogBuffer } from './logs.js';
import type { ProcessInfo } from './procfs.js';

export type BackendName = 'docker' | 'process';
export type BackendChoice = BackendName | 'auto';

/** Who receives a signal: the main process, its whole process group, or every process below it. */
export type Recipient = 'main' | 'group' | 'children';

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
  via: 'host-pid' | 'docker-api';
  pids: number[];
}

export interface StartContext {
  runId: string;
  scenario: string;
  /** Labels every resource carries, so leftovers can be found (`sigstorm gc`). */
  labels: Record<string, string>;
  /** A fresh host directory for this trial: DATA_DIR for a process, mounted at `target.dataDir` in a container. */
  dataDir: string;
  /** The schedule holds partitions: a process target gets a TCP proxy in front (containers are cut with iptables). */
  partitions: boolean;
}

/** A running target. Disposal removes everything the backend created for it, whatever state it is in. */
export interface StartedTarget extends AsyncDisposable {
  readonly backend: BackendName;
  /** Container id or main pid. */
  readonly id: string;
  /** The image a container runs (docker backend). */
  readonly image?: string;
  /** Host pid of the main process (container PID 1 for docker). */
  readonly pid: number;
  /** Where the HTTP readiness probe and the workload reach the target. */
  readonly endpoint: { host: string; port: number } | undefined;
  readonly logs: LogBuffer;
  readonly spawnedAtMs: number;
  /** Set once the main process has exited. */
  readonly mainExit: RawExit | undefined;
  /** Settles when the main process exits. */
  readonly exited: Promise<RawExit>;
  /** Delivers the signals in order, back to back (one for a plain signal, several for a race). */
  signal(signals: readonly SignalName[], to: Recipient): Promise<Delivery[]>;
  /** Freezes every process of the target until the returned heal thaws it. */
  pause(): Promise<Applied>;
  /** Cuts traffic between the workload and the target until the returned heal restores it. */
  partition(spec: Pick<PartitionEvent, 'direction' | 'mode'>): Promise<Applied>;
  /** Resolves when the target is gone (its main process exited and nothing of it is left), or undefined at `untilMs` or on abort. */
  waitGone(untilMs: number, abort?: AbortSignal): Promise<RawExit | undefined>;
  /** Processes belonging to the target right now (main first when alive). */
  processes(): ProcessInfo[];
  /** SIGKILL whatever is left of the target and wait until it is gone. */
  kill(): Promise<RawExit>;
}

export interface Backend {
  readonly name: BackendName;
  /** Builds whatever the target needs (images, binaries); called once before trials. */
  prepare(target: Target): Promise<void>;
  start(target: Target, context: StartContext): Promise<StartedTarget>;
}
