import type { ProcessInfo } from '../host/process-info.js';
import type { TrialRecord } from '../trial/record.js';
import type { LedgerEntry } from '../workload/ledger.js';
import { laterSignalEnded, type Attribution } from './attribution.js';
import { crashSignature, type Crash } from './crash.js';
import { runtimeOf, type Runtime } from './runtime.js';
import { serverOf, type ServerFinding } from './server.js';
import { firstTerminating, signalDeliveries, type SignalDelivery } from './terminating.js';

/** Interpreters an entrypoint script runs in: a main process by one of these names runs the service as its child. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'busybox']);

/**
 * The facts of one trial record that diagnoses read, computed once: plain data from the record alone (exit status,
 * signals, logs, sampled processes, ledger, events), never the scenario's name.
 */
export interface Clues {
  record: TrialRecord;
  /** The command name of the target's main process as sampled ('' when never sampled). */
  mainComm: string;
  /** The main process is a shell and ran the service as its child (a process of another name). */
  shellParent: boolean;
  /** The service's runtime as the record shows it (runtime.ts): the child's under a shell parent; whose words fixes use. */
  runtime: Runtime;
  /** The catalogued server the record shows (server.ts): whose documented signal meanings diagnoses may speak of. */
  server?: ServerFinding;
  /** Every signal delivered to the target, in order; the first one that must stop it. */
  deliveries: SignalDelivery[];
  first?: SignalDelivery;
  /** Terminating signals after the first, before the main process ended. */
  laterTerminating: SignalDelivery[];
  /** The later signal the exit followed, when not the first terminating one (attribution.ts). */
  endedByLater?: Attribution;
  crash?: Crash;
  /** Log lines the target printed after the first terminating signal (all of them when there was none). */
  logsAfterSignal: string[];
  /** How long after the first terminating signal the main process ended (undefined without one). */
  exitAfterSignalMs?: number;
  /** Requests, streams and writes sent before the first terminating signal and failing after it. */
  lostInFlight: LedgerEntry[];
  /**
   * Requests answered OK although sent after the first terminating signal: on a reused connection, and on a fresh one
   * once the running target had turned a fresh one away (a busy handler may take the signal late and accept a few before).
   */
  servedAfterSignal: { fresh: number; reused: number };
  /** A pause or a cut (of the target or of a dependency) played during the trial. */
  paused: boolean;
  cut: boolean;
  hasDependencies: boolean;
}

export function cluesOf(record: TrialRecord): Clues {
  const processes = record.samples.flatMap((s) => s.processes);
  const main = processes.find((p) => p.pid === record.target.pid);
  const mainComm = main?.comm ?? '';
  const children = (pid: number) => processes.filter((p: ProcessInfo) => p.ppid === pid && p.pid !== pid);
  const shellParent = SHELLS.has(mainComm) && children(record.target.pid).some((p) => !SHELLS.has(p.comm));
  const deliveries = signalDeliveries(record);
  const first = firstTerminating(record);
  const at = first?.deliveredMs ?? Number.NEGATIVE_INFINITY;
  const laterTerminating = first
    ? deliveries.filter((d) => d !== first && d.deliveredMs >= at && d.deliveredMs < record.exit.atMs && record.expect[d.signal]?.kind === 'exit')
    : [];
  const ledger = record.ledger;
  const lostInFlight = first ? ledger.filter((e) => e.sentMs < at && e.endMs >= at && e.outcome !== 'ok') : [];
  const after = first ? ledger.filter((e) => e.sentMs > at && e.outcome === 'ok' && e.kind === 'request') : [];
  const end = record.exit.killedAtMs ?? record.exit.atMs; // requests that fail at the end say nothing of listening
  const turnedAway = Math.min(...ledger.filter((e) => e.kind === 'request' && !e.reused && e.sentMs > at && e.endMs < end && e.outcome !== 'ok').map((e) => e.sentMs));
  const freshFrom = Number.isFinite(turnedAway) ? turnedAway : at;
  return {
    record,
    mainComm,
    shellParent,
    runtime: runtimeOf(record).runtime,
    ...withServer(serverOf(record)),
    deliveries,
    ...(first ? { first, exitAfterSignalMs: record.exit.atMs - first.deliveredMs } : {}),
    laterTerminating,
    ...withLater(first ? laterSignalEnded(record, first) : undefined),
    ...withCrash(crashSignature(record)),
    logsAfterSignal: record.logs.filter((l) => l.atMs > at).map((l) => l.text),
    lostInFlight,
    servedAfterSignal: { fresh: after.filter((e) => !e.reused && e.sentMs > freshFrom).length, reused: after.filter((e) => e.reused).length },
    paused: record.events.some((e) => e.kind === 'pause' && e.deliveredMs !== undefined),
    cut: record.events.some((e) => e.kind === 'partition' && e.deliveredMs !== undefined),
    hasDependencies: (record.dependencies ?? []).length > 0,
  };
}

const withServer = (server: ServerFinding | undefined) => (server ? { server } : {});
const withCrash = (crash: Crash | undefined) => (crash ? { crash } : {});
const withLater = (endedByLater: Attribution | undefined) => (endedByLater ? { endedByLater } : {});

/** Any line printed after the first terminating signal matches. */
export const saidAfterSignal = (c: Clues, re: RegExp): boolean => c.logsAfterSignal.some((l) => re.test(l));

/** The main process ended by sigstorm's SIGKILL after the grace period (the target hung). */
export const hung = (c: Clues): boolean =>
  c.record.exit.forcedKill && (c.record.exit.killedAtMs === undefined || c.record.exit.atMs >= c.record.exit.killedAtMs);
