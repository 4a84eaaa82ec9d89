import type { RawExit } from '../backends/target.js';
import type { ProcessInfo } from '../host/process-info.js';
import { rebased } from '../schedule/played.js';
import { statusForSignal } from '../signals.js';
import { monotonicOffsetMs } from '../time.js';
import type { CollectedTrial } from './collect.js';
import type { ExitRecord, TrialRecord } from './record.js';
import { timingOf } from './timing.js';

/** Data-directory changes a record keeps: the first ones, where the anchored events of a schedule mostly are. */
export const WRITES_KEPT = 500;

/** The trial's record, built here only, from the state its phases left: every `…Ms` counted from readiness. */
export function buildRecord(trial: CollectedTrial): TrialRecord {
  const { options, stack, readyMs, startup } = trial;
  const { scenario } = options;
  const { target } = stack;
  const rel = (ms: number) => ms - readyMs;
  // Start-up events first, their times counted from readiness (negative); checks index into this list.
  const events = [...startup.played.map((p) => rebased(p, readyMs - target.spawnedAtMs)), ...trial.player.played];
  const timing = timingOf(events);
  return {
    scenario: { name: scenario.name, path: scenario.path },
    backend: target.backend,
    runId: options.runId,
    expect: scenario.expect,
    oracles: scenario.oracles,
    stopSignal: scenario.target.stopSignal,
    stopGracePeriodMs: scenario.target.stopGracePeriod,
    target: {
      id: target.id,
      pid: target.pid,
      ...(target.image ? { image: target.image } : {}),
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    },
    readyAt: trial.readyAt,
    readyMonotonicMs: readyMs + monotonicOffsetMs(),
    spawnToReadyMs: readyMs - target.spawnedAtMs,
    ...(trial.exitedInStartup ? { exitedInStartup: trial.exitedInStartup } : {}),
    schedule: options.schedule,
    events,
    ...(timing ? { timing } : {}),
    checks: trial.checks.sort((a, b) => a.event - b.event).map((c) => ({ ...c, event: c.event + startup.played.length })),
    ...(trial.stopRecord ? { stop: trial.stopRecord } : {}),
    exit: exitRecord(trial, rel),
    samples: samplesOf(trial, rel),
    executables: executablesOf(trial),
    ledger: trial.ledger,
    connections: trial.traffic?.connections ?? [],
    ...(trial.traffic?.late.length ? { loopLate: trial.traffic.late } : {}),
    ...(trial.socketEvidence ? { sockets: trial.socketEvidence } : {}),
    ...(trial.readback ? { readback: trial.readback } : {}),
    ...(trial.jobs ? { jobs: trial.jobs } : {}),
    ...(trial.dependencies.length ? { dependencies: trial.dependencies } : {}),
    files: trial.files,
    logs: target.logs.lines.slice(-1000).map((l) => ({ ...l, atMs: rel(l.atMs) })),
    ...(trial.writes ? { writes: trial.writes.changes.slice(0, WRITES_KEPT).map((c) => ({ atMs: rel(c.atMs), name: c.name })) } : {}),
  };
}

function exitRecord({ rawExit: raw, killedAtMs, lingering }: CollectedTrial, rel: (ms: number) => number): ExitRecord {
  return exitRecordOf(raw, killedAtMs === undefined ? undefined : rel(killedAtMs), lingering, rel);
}

/** An exit as the record keeps it, on the record's clock (`rel`); `killedMs`, the final SIGKILL, already on it. */
export function exitRecordOf(raw: RawExit, killedMs: number | undefined, lingering: ProcessInfo[], rel: (ms: number) => number): ExitRecord {
  return {
    exitCode: raw.exitCode,
    signal: raw.signal,
    status: raw.exitCode ?? (raw.signal ? statusForSignal(raw.signal) : -1),
    atMs: rel(raw.atMs),
    forcedKill: killedMs !== undefined,
    ...(killedMs !== undefined ? { killedAtMs: killedMs } : {}),
    lingering,
  };
}

/** What the processes of the start-up and of the trial ran, each process once. */
function executablesOf({ startupSampler, sampler }: CollectedTrial): NonNullable<TrialRecord['executables']> {
  const all = [...(startupSampler?.executables ?? []), ...sampler.executables];
  const key = (e: (typeof all)[number]) => `${e.pid}:${e.startTime}:${e.comm}`;
  return all.filter((e, i) => all.findIndex((o) => key(o) === key(e)) === i);
}

/** A target that never became ready keeps its start-up's samples, before those taken from then on. */
function samplesOf({ exitedInStartup, startupSampler, sampler }: CollectedTrial, rel: (ms: number) => number): TrialRecord['samples'] {
  return exitedInStartup && startupSampler ? [...startupSampler.samples.map((x) => ({ ...x, atMs: rel(x.atMs) })), ...sampler.samples] : sampler.samples;
}
