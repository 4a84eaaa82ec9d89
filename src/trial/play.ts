import { dirname } from 'node:path';
import type { StartedTarget } from '../backends/target.js';
import { Player } from '../faults/player.js';
import { journal } from '../leftovers/journal.js';
import { probeHttp } from '../probes/http-get.js';
import { probeTcp } from '../probes/tcp-connect.js';
import { isTerminating } from '../scenario/terminating.js';
import type { Scenario } from '../scenario/types.js';
import { anchorOf, fromSpawn, isFileAnchor, serviceOf } from '../schedule/event.js';
import type { PlayedEvent } from '../schedule/played.js';
import type { SignalName } from '../signals.js';
import { now, within } from '../time.js';
import { RequestPhases } from '../workload/phases.js';
import { hasWorkload, startWorkload, type RunningWorkload } from '../workload/workload.js';
import { watchDataDir, type FileWatch } from './file-watch.js';
import { playStop, type StopOutcome, type StopStage } from './stop-sequence.js';
import type { AliveCheck } from './record.js';
import { startSampler, type Sampler } from './sampler.js';
import { socketWatcher, type SocketWatcher } from './socket-watch.js';
import type { ReadyTrial } from './startup.js';
import { latch, noteTerminating, type Latch } from './state.js';

/** The trial from readiness on: what samples, faults and drives the target, and what that has found so far. */
export interface PlayingTrial extends ReadyTrial {
  /** /proc samples from readiness on, and after each event that does not stop the target. */
  readonly sampler: Sampler;
  /** Plays the events timed from readiness, and a stop sequence's signals; its origin readiness. */
  readonly player: Player;
  /** The workload's traffic: none without a workload, nor for a target that never became ready. */
  readonly traffic: RunningWorkload | undefined;
  /** The target's sockets, watched around each terminating signal sent to it. */
  readonly sockets: SocketWatcher;
  /** The data directory's changes, watched while the schedule holds an event timed from a write (`after: {file}`). */
  readonly writes: FileWatch | undefined;
  /** Alive checks after signals the target must survive, once each is done (their times from readiness)… */
  readonly checks: AliveCheck[];
  /** …and each under way. */
  readonly pendingChecks: Promise<void>[];
  /** The orchestrator's stop sequence, once begun: by a `stop` event of the schedule, or at its end. */
  stopping?: Promise<StopOutcome>;
  /** Opened when it begins. */
  readonly stopBegun: Latch;
  /** Stops both players at an interrupt: listened to from here to the end of the trial. */
  readonly onAbort: () => void;
}

/** The trial once its schedule is under way. */
export interface PlayedTrial extends PlayingTrial {
  /** Both players' events played and settled. */
  readonly playing: Promise<unknown>;
}

/** At readiness: the sampler, the player of the events timed from readiness, and the traffic, in this order. */
export function startPlay(ready: ReadyTrial): PlayingTrial {
  const { target, faults } = ready.stack;
  const requests = new RequestPhases(); // announced by the traffic, waited on by events timed from a request
  // Watched for the events timed from a write, and kept in the record: amplify re-times a failing trial's signal from
  // the write nearest before it (src/fuzz/closer-anchors.ts), whatever it was timed from. One inotify watch a trial.
  const timedFromWrite = ready.options.schedule.some((e) => {
    const anchor = anchorOf(e);
    return anchor !== undefined && isFileAnchor(anchor);
  });
  const files = watchDataDir(ready.dataDir, timedFromWrite);
  const trial: PlayingTrial = Object.assign(ready, {
    sampler: startSampler(target, ready.readyMs, ready.dataDir),
    player: new Player(faults, ready.readyMs, {
      onSignal: (signal, atMs, played) => noteTerminating(trial, signal, ready.readyMs + atMs, played),
      onStop: (played) => beginStop(trial, 'stop', played),
      onPlayed: (played) => onPlayed(trial, played),
      onShot: (played, atMs) => trial.sockets.watch(played, ready.readyMs + atMs),
    }, { lines: target.logs, requests, files }),
    traffic: startTraffic(ready, requests),
    writes: files,
    sockets: socketWatcher(ready.options.scenario, target, ready.readyMs, hasWorkload(ready.options.scenario.workload) && !ready.exitedInStartup),
    checks: [],
    pendingChecks: [],
    stopBegun: latch(),
    onAbort: () => void stopPlayers(trial),
  });
  trial.options.signal?.addEventListener('abort', trial.onAbort, { once: true });
  return trial;
}

/**
 * Plays until a terminating signal lands, the target exits by itself, the stop begins, or the schedule is over; in
 * the last case, once the alive checks are in and every fault is healed, begins the stop at the schedule's end.
 */
export async function play(trial: PlayingTrial): Promise<PlayedTrial> {
  const { player, options } = trial;
  const { target } = trial.stack;
  const afterReady = trial.exitedInStartup ? [] : options.schedule.filter((e) => !fromSpawn(e));
  const played = Object.assign(trial, { playing: Promise.all([trial.startupPlaying, player.play(afterReady).then(() => player.settled())]) });
  await Promise.race([trial.terminated.opened, target.exited, played.playing, trial.stopBegun.opened]);
  if (!trial.stopping && !trial.terminating && !target.mainExit) {
    await Promise.all(trial.pendingChecks);
    await healAll(trial);
    beginStop(trial, 'teardown');
  }
  return played;
}

/** Also on an error: no timer, fault or load loop outlives the trial. */
export async function stopPlaying(trial: PlayingTrial): Promise<void> {
  trial.options.signal?.removeEventListener('abort', trial.onAbort);
  trial.sampler.stop();
  await stopPlayers(trial);
  await trial.traffic?.stop();
  void trial.sockets.end(); // no watch reads on after an error (collect gathers them otherwise)
}

/** Ends both players' schedules, healing every pause and partition (a frozen or cut-off target cannot be killed). */
export function stopPlayers(trial: PlayingTrial): Promise<unknown> {
  trial.writes?.close(); // no anchored event waits on after this
  return Promise.all([trial.player.stop(), trial.startup.stop()]);
}

/** Thaws and reconnects the target: every pause and partition of both players undone. */
function healAll(trial: PlayingTrial): Promise<void> {
  return Promise.all([trial.player.heal(), trial.startup.heal()]).then(() => undefined);
}

/** The orchestrator's stop sequence, begun by a `stop` event (`played`) or at the end of the schedule, once only. */
function beginStop(trial: PlayingTrial, origin: 'stop' | 'teardown', played?: PlayedEvent): void {
  const { scenario, signal } = trial.options;
  const { target } = trial.stack;
  if (trial.stopping || trial.terminating || target.mainExit || signal?.aborted) {
    if (played) {
      played.error = 'not played: the target was already stopping';
      delete played.deliveredMs;
    }
    return;
  }
  const stage: StopStage = {
    target,
    player: trial.player,
    originMs: trial.readyMs,
    origin,
    stopTraffic: () => trial.traffic?.endpointsRemoved(),
    heal: () => healAll(trial),
    ...(signal ? { abort: signal } : {}),
  };
  journal.phase('stopping', scenario.stop.model);
  trial.stopping = playStop(scenario.stop, stage, played?.kind === 'stop' ? played.endpoint_delay : undefined);
  trial.stopBegun.open();
}

/** No traffic for a target that never became ready: lost-requests sees an empty ledger. */
function startTraffic({ options, stack, readyMs, exitedInStartup }: ReadyTrial, phases: RequestPhases): RunningWorkload | undefined {
  const { scenario } = options;
  const { workload } = scenario;
  const { target } = stack;
  const services = new Map(stack.dependencies.flatMap((d) => (d.started.endpoint ? [[d.spec.name, d.started.endpoint] as const] : [])));
  return hasWorkload(workload) && !exitedInStartup
    ? startWorkload({ workload, ...(target.endpoint ? { endpoint: target.endpoint } : {}), services, originMs: readyMs, cwd: dirname(scenario.path), runId: options.runId, phases })
    : undefined;
}

/** Each event of the player once it has taken effect. */
function onPlayed(trial: PlayingTrial, played: PlayedEvent): void {
  if (played.deliveredMs === undefined) return;
  // A lasting fault holds: noted in the journal while it does (a test, or a person, can see it).
  if (played.kind === 'pause') journal.phase('fault', 'pause');
  if (played.kind === 'partition') journal.phase('fault', `partition ${played.direction} ${played.mode}`);
  const signals = [...new Set(played.deliveries?.map((d) => d.signal) ?? [])];
  // Right after a signal that stops the target no oracle needs a sample (fd growth is judged before it, zombies
  // over the ticks): one taken there would only delay the exit it is waiting for.
  const stopsTarget = serviceOf(played) === undefined && signals.some((sig) => isTerminating(trial.options.scenario.expect, sig));
  if (!stopsTarget) trial.sampler.sample();
  checkAliveAfter(trial, played, signals);
}

/**
 * Signals the target must survive: check it is still alive and ready once the last has settled (not those of a stop
 * sequence: the target is on its way out).
 */
function checkAliveAfter(trial: PlayingTrial, played: PlayedEvent, signals: SignalName[]): void {
  const { scenario } = trial.options;
  if (serviceOf(played) !== undefined || played.origin === 'stop' || played.origin === 'teardown') return;
  const settle = signals.map((sig) => scenario.expect[sig]).map((e) => (e?.kind === 'alive' ? e.settle : undefined));
  if (signals.length === 0 || settle.some((ms) => ms === undefined)) return;
  const index = trial.player.played.indexOf(played);
  const lastMs = played.deliveries!.at(-1)!.atMs;
  const at = trial.readyMs + lastMs + Math.max(...(settle as number[]));
  trial.pendingChecks.push(checkAlive(trial.stack.target, scenario, index, at).then((c) => void trial.checks.push({ ...c, atMs: c.atMs - trial.readyMs })));
}

async function checkAlive(target: StartedTarget, scenario: Scenario, event: number, atMs: number): Promise<AliveCheck> {
  await within(target.exited, atMs - now());
  const checkedAt = now();
  // The host's view first: an engine under load reports an exit seconds after it (docker by host pid).
  const alive = target.mainExit === undefined && !target.mainGone?.();
  const { http: path, tcp } = scenario.target.ready;
  const ready = !alive
    ? null
    : path && target.endpoint
      ? await probeHttp(target.endpoint.host, target.endpoint.port, path)
      : tcp !== undefined && target.listening
        ? await probeTcp(target.listening.host, target.listening.port)
        : null;
  return { event, atMs: checkedAt, alive, ready };
}
