import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Backend } from '../backends/backend.js';
import type { RawExit, StartedTarget } from '../backends/target.js';
import { infrastructure } from '../errors.js';
import { readStat } from '../host/procfs.js';
import { journal } from '../leftovers/journal.js';
import { own } from '../leftovers/tracked.js';
import { fromSpawn, serviceOf, type Schedule } from '../schedule/event.js';
import { rebased, type PlayedEvent } from '../schedule/played.js';
import { Player } from '../faults/player.js';
import { probeHttp } from '../probes/http-get.js';
import { waitReady } from '../probes/ready.js';
import { isTerminating } from '../scenario/terminating.js';
import type { Scenario } from '../scenario/types.js';
import { statusForSignal, type SignalName } from '../signals.js';
import { monotonicOffsetMs, now, within } from '../time.js';
import type { LedgerEntry } from '../workload/ledger.js';
import { hasWorkload, startWorkload } from '../workload/workload.js';
import { startTimingThread } from '../host/timing-thread.js';
import type { ProcessInfo } from '../host/process-info.js';
import { playStop, type StopOutcome, type StopStage } from './stop-sequence.js';
import { removeDataDir } from './data-dir.js';
import { filesLeft } from './files.js';
import { readBackJobs } from './jobs.js';
import { dependencyRecord, readBackIds } from './readback.js';
import { startStack, type Stack } from './stack.js';
import { startSampler } from './sampler.js';
import type { AliveCheck, StopRecord, TrialRecord } from './record.js';
import { timingOf } from './timing.js';

export interface TrialOptions {
  scenario: Scenario;
  backend: Backend;
  schedule: Schedule;
  runId: string;
  signal?: AbortSignal;
}

/**
 * One trial: start a fresh target, wait until ready, play the schedule, wait for the target to be gone (SIGKILL
 * after the grace period), and record everything. When the schedule holds no terminating signal, the target is
 * stopped at the end with its stop signal, as `docker stop` would. Judging is left to the oracles.
 */
export async function runTrial(options: TrialOptions): Promise<TrialRecord> {
  // The timing thread takes tens of ms to start (and to get its real-time priority): warm by the first signal.
  startTimingThread();
  // Named by the trial and announced before it exists, so `sigstorm gc` finds it after a SIGKILL.
  const dataDir = join(tmpdir(), `sigstorm-data-${options.runId}`);
  const owned = own({ kind: 'data-dir', path: dataDir });
  try {
    mkdirSync(dataDir, { recursive: true }); // one syscall: not worth a round trip to the thread pool
    owned.created({}, () => removeDataDir(dataDir));
    return await startAndObserve(options, dataDir);
  } finally {
    await removeDataDir(dataDir).then(owned.released, () => undefined);
  }
}

async function startAndObserve(options: TrialOptions, dataDir: string): Promise<TrialRecord> {
  const { scenario, backend } = options;
  if (options.signal?.aborted) throw infrastructure('interrupted before the target was started');
  journal.phase('starting', options.runId);
  const stack = await startStack({
    scenario,
    backend,
    schedule: options.schedule,
    ...(options.signal ? { signal: options.signal } : {}),
    context: {
      dataDir,
      runId: options.runId,
      scenario: scenario.name,
      labels: {
      sigstorm: 'true',
      'sigstorm.run': options.runId,
      'sigstorm.scenario': scenario.name,
      'sigstorm.pid': String(process.pid),
      // With the pid, names this sigstorm process even after pid reuse (`sigstorm gc`).
        'sigstorm.pid-start': String(readStat(process.pid)?.startTime ?? 0),
      },
    },
  });
  try {
    return await observe(stack, options, dataDir);
  } finally {
    await stack[Symbol.asyncDispose]();
  }
}

async function observe(stack: Stack, options: TrialOptions, dataDir: string): Promise<TrialRecord> {
  const { scenario } = options;
  const { target } = stack;
  const checks: AliveCheck[] = [];
  const pendingChecks: Promise<void>[] = [];
  // The first terminating signal to the target, on the monotonic clock (it may land during start-up).
  let terminating: { signal: SignalName; atMs: number } | undefined;
  let onTerminating!: () => void;
  const terminated = new Promise<void>((resolve) => (onTerminating = resolve));
  const noteTerminating = (signal: SignalName, atMs: number, played: PlayedEvent) => {
    if (!terminating && serviceOf(played) === undefined && isTerminating(scenario.expect, signal)) {
      terminating = { signal, atMs };
      onTerminating();
    }
  };

  // Events timed from spawn are played during the start-up, while readiness is awaited.
  const atStartup = options.schedule.filter(fromSpawn);
  const afterReady = options.schedule.filter((e) => !fromSpawn(e));
  // The target's processes during a start-up with events: kept as the samples of a target that never became ready.
  const startupSampler = atStartup.length ? startSampler(target, 0) : undefined;
  const startup = new Player(stack.faults, target.spawnedAtMs, {
    onSignal: (signal, atMs, played) => noteTerminating(signal, target.spawnedAtMs + atMs, played),
  });
  const startupPlaying = startup.play(atStartup).then(() => startup.settled());
  let readyMs: number;
  // A target that exits during its start-up after a signal from the schedule is judged (it never became ready).
  let exitedInStartup = false;
  try {
    readyMs = await waitReady(target, scenario.target.ready, options.signal);
  } catch (error) {
    const signalled = startup.played.some((p) => p.deliveredMs !== undefined);
    if (!target.mainExit || !signalled || options.signal?.aborted) {
      await startup.stop();
      throw error;
    }
    exitedInStartup = true;
    readyMs = now();
  } finally {
    startupSampler?.stop();
  }
  if (!exitedInStartup) journal.phase('ready', options.runId);
  const readyAt = new Date().toISOString();
  const rel = (ms: number) => ms - readyMs;

  const sampler = startSampler(target, readyMs);
  const { samples, sample } = sampler;

  /** Thaws and reconnects the target: every pause and partition of both players undone. */
  const healAll = () => Promise.all([player.heal(), startup.heal()]).then(() => undefined);
  // The orchestrator's stop sequence, once begun: by a `stop` event of the schedule, or at its end.
  let stopping: Promise<StopOutcome> | undefined;
  let onStopBegun!: () => void;
  const stopBegun = new Promise<void>((resolve) => (onStopBegun = resolve));
  const beginStop = (origin: 'stop' | 'teardown', played?: PlayedEvent) => {
    if (stopping || terminating || target.mainExit || options.signal?.aborted) {
      if (played) {
        played.error = 'not played: the target was already stopping';
        delete played.deliveredMs;
      }
      return;
    }
    const stage: StopStage = {
      target,
      player,
      originMs: readyMs,
      origin,
      stopTraffic: () => traffic?.endpointsRemoved(),
      heal: healAll,
      ...(options.signal ? { abort: options.signal } : {}),
    };
    journal.phase('stopping', scenario.stop.model);
    stopping = playStop(scenario.stop, stage, played?.kind === 'stop' ? played.endpoint_delay : undefined);
    onStopBegun();
  };

  const player = new Player(stack.faults, readyMs, {
    onSignal: (signal, atMs, played) => noteTerminating(signal, readyMs + atMs, played),
    onStop: (played) => beginStop('stop', played),
    onPlayed: (played) => {
      if (played.deliveredMs === undefined) return;
      // A lasting fault holds: noted in the journal while it does (a test, or a person, can see it).
      if (played.kind === 'pause') journal.phase('fault', 'pause');
      if (played.kind === 'partition') journal.phase('fault', `partition ${played.direction} ${played.mode}`);
      const signals = [...new Set(played.deliveries?.map((d) => d.signal) ?? [])];
      // Right after a signal that stops the target no oracle needs a sample (fd growth is judged before it, zombies
      // over the ticks): one taken there would only delay the exit it is waiting for.
      const stopsTarget = serviceOf(played) === undefined && signals.some((sig) => isTerminating(scenario.expect, sig));
      if (!stopsTarget) sample();
      // Signals the target must survive: check it is still alive and ready once the last has settled (not those
      // of a stop sequence: the target is on its way out).
      if (serviceOf(played) !== undefined || played.origin === 'stop' || played.origin === 'teardown') return;
      const settle = signals.map((sig) => scenario.expect[sig]).map((e) => (e?.kind === 'alive' ? e.settle : undefined));
      if (signals.length === 0 || settle.some((ms) => ms === undefined)) return;
      const index = player.played.indexOf(played);
      const lastMs = played.deliveries!.at(-1)!.atMs;
      const at = readyMs + lastMs + Math.max(...(settle as number[]));
      pendingChecks.push(checkAlive(target, scenario, index, at).then((c) => void checks.push({ ...c, atMs: rel(c.atMs) })));
    },
  });

  const { workload } = scenario;
  const services = new Map(stack.dependencies.flatMap((d) => (d.started.endpoint ? [[d.spec.name, d.started.endpoint] as const] : [])));
  // No traffic for a target that never became ready: lost-requests sees an empty ledger.
  const traffic = hasWorkload(workload) && !exitedInStartup
    ? startWorkload({ workload, ...(target.endpoint ? { endpoint: target.endpoint } : {}), services, originMs: readyMs, cwd: dirname(scenario.path), runId: options.runId })
    : undefined;

  const onAbort = () => void Promise.all([player.stop(), startup.stop()]);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await drive();
  } finally {
    // Also on an error: no timer, fault or load loop outlives the trial.
    options.signal?.removeEventListener('abort', onAbort);
    sampler.stop();
    await Promise.all([player.stop(), startup.stop()]);
    await traffic?.stop();
  }

  /** Once the target is gone: which acknowledged writes were kept (an HTTP read-back asks about exactly those). */
  /** What the target acknowledged is read back once it is gone: the writes it stored, the jobs its worker did. */
  async function readBack(ledger: LedgerEntry[]) {
    // Acknowledged writes come from `writes`, or from an exec client that marks its own.
    const writes = workload.writes?.readback ?? workload.exec?.readback;
    if (!writes && !workload.jobs) return {};
    journal.phase('reading-back', options.runId);
    const acked = (kind: LedgerEntry['kind']) =>
      ledger.flatMap((e) => {
        const id = kind === 'write' ? e.writeId : e.jobId;
        return e.kind === kind && e.outcome === 'ok' && id !== undefined ? [id] : [];
      });
    const ask = (ids: number[]) => ({ ids, target: scenario.target, ...(options.signal ? { signal: options.signal } : {}) });
    const cwd = dirname(scenario.path);
    return {
      ...(writes ? { readback: await readBackIds(writes, dataDir, stack, cwd, ask(acked('write'))) } : {}),
      ...(workload.jobs ? { jobs: await readBackJobs(workload.jobs, dataDir, stack, cwd, ask(acked('job'))) } : {}),
    };
  }

  async function drive(): Promise<TrialRecord> {
    const playing = Promise.all([startupPlaying, player.play(exitedInStartup ? [] : afterReady).then(() => player.settled())]);

    // Until a terminating signal lands, the target exits by itself, the stop begins, or the schedule is over.
    await Promise.race([terminated, target.exited, playing, stopBegun]);
    if (!stopping && !terminating && !target.mainExit) {
      await Promise.all(pendingChecks);
      await healAll();
      beginStop('teardown');
    }

    let raw: RawExit | undefined;
    let lingering: ProcessInfo[] = [];
    let killedAtMs: number | undefined;
    let stop: StopRecord | undefined;
    if (stopping) {
      // The stop model waits, kills and removes as its orchestrator does.
      const outcome = await stopping;
      ({ raw, lingering } = outcome);
      killedAtMs = outcome.killedAtMs === undefined ? undefined : readyMs + outcome.killedAtMs;
      stop = outcome.record;
      await Promise.all([player.stop(), startup.stop()]);
    } else {
      // A signal of the schedule stopped it, or it exited by itself: wait as `docker stop` would, then kill.
      const grace = scenario.target.stopGracePeriod;
      const expectation = terminating ? scenario.expect[terminating.signal] : undefined;
      const waitFor = Math.max(grace, expectation?.kind === 'exit' ? expectation.within : 0);
      const deadline = terminating ? terminating.atMs + waitFor : now() + grace;
      // An interrupt ends the wait at once: the target is killed below, and the report says the trial was cut short.
      raw = await target.waitGone(options.signal?.aborted ? now() : deadline, options.signal);
      lingering = raw ? [] : target.processes();
      killedAtMs = raw ? undefined : now();
      // A frozen or cut-off target must be thawed before it can be killed and removed.
      await Promise.all([player.stop(), startup.stop()]);
      if (!raw) raw = await target.kill();
    }

    sampler.stop();
    const ledger = (await traffic?.stop()) ?? [];
    await playing;
    await Promise.all(pendingChecks);
    target.logs.flush();
    const { readback, jobs } = await readBack(ledger);
    // Dependencies must have stayed up unless signalled: how each stood once the target was gone.
    const dependencies = stack.dependencies.map((d) => dependencyRecord(d, rel));
    const files = filesLeft(dataDir, scenario.oracles.handles);
    // Start-up events first, their times counted from readiness (negative); checks index into this list.
    const events = [...startup.played.map((p) => rebased(p, readyMs - target.spawnedAtMs)), ...player.played];
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
      readyAt,
      readyMonotonicMs: readyMs + monotonicOffsetMs(),
      spawnToReadyMs: readyMs - target.spawnedAtMs,
      ...(exitedInStartup ? { exitedInStartup } : {}),
      schedule: options.schedule,
      events,
      ...(timing ? { timing } : {}),
      checks: checks.sort((a, b) => a.event - b.event).map((c) => ({ ...c, event: c.event + startup.played.length })),
      ...(stop ? { stop } : {}),
      exit: {
        exitCode: raw.exitCode,
        signal: raw.signal,
        status: raw.exitCode ?? (raw.signal ? statusForSignal(raw.signal) : -1),
        atMs: rel(raw.atMs),
        forcedKill: killedAtMs !== undefined,
        ...(killedAtMs !== undefined ? { killedAtMs: rel(killedAtMs) } : {}),
        lingering,
      },
      samples: exitedInStartup && startupSampler ? [...startupSampler.samples.map((x) => ({ ...x, atMs: rel(x.atMs) })), ...samples] : samples,
      ledger,
      connections: traffic?.connections ?? [],
      ...(readback ? { readback } : {}),
      ...(jobs ? { jobs } : {}),
      ...(dependencies.length ? { dependencies } : {}),
      files,
      logs: target.logs.lines.slice(-1000).map((l) => ({ ...l, atMs: rel(l.atMs) })),
    };
  }
}

async function checkAlive(target: StartedTarget, scenario: Scenario, event: number, atMs: number): Promise<AliveCheck> {
  await within(target.exited, atMs - now());
  const checkedAt = now();
  const alive = target.mainExit === undefined;
  const path = scenario.target.ready.http;
  const ready = alive && path && target.endpoint ? await probeHttp(target.endpoint.host, target.endpoint.port, path) : null;
  return { event, atMs: checkedAt, alive, ready };
}
