import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend, StartContext } from '../backends/backend.js';
import type { StartedTarget } from '../backends/target.js';
import type { LoadBalancer } from '../balancer/balancer.js';
import { infrastructure } from '../errors.js';
import { Player, type FaultTarget } from '../faults/player.js';
import { readinessProbe } from '../probes/ready.js';
import type { RolloutPlan } from '../rollout/plan.js';
import type { RolloutSchedule } from '../rollout/schedule.js';
import { recipientOf } from '../schedule/event.js';
import type { Target } from '../scenario/types.js';
import type { StopSettings } from '../stop-models/model.js';
import { formatMs, now, sleepUntil } from '../time.js';
import { ReadinessFlaps } from './readiness-flaps.js';
import { ReplicaFaults } from './replica-faults.js';
import { playStop, type StopOutcome } from './stop-sequence.js';

// One replica of a rollout: started as the single-target trial starts its target (the backend, a data directory of its
// own, an instance name so its processes or containers are told apart), reached by the balancer at its rotation port,
// taken into the balancer's rotation by its readiness probe, and stopped by the scenario's stop model, the balancer
// removing it once the endpoint lag has passed.

/** What every replica of one trial shares. */
export interface Fleet {
  backend: Backend;
  context: Omit<StartContext, 'partitions' | 'instance'>;
  balancer: LoadBalancer;
  plan: RolloutPlan;
  /** The schedule's faults aimed at each replica and its readiness flaps (rollout/schedule.ts); none when absent. */
  schedule?: Pick<RolloutSchedule, 'faults' | 'unready'>;
  /** The trial's origin on the monotonic clock (the workload's start): stop records count from it. */
  originMs: number;
  /** When the rollout began, on the same clock. */
  beganMs: number;
  abort: AbortSignal;
}

/** A started replica; times on the monotonic clock. */
export interface Replica {
  name: string;
  version: 'v1' | 'v2';
  spec: Target;
  started: StartedTarget;
  startedMs: number;
  /** The schedule cuts it off: the process backend reaches it through a partition proxy of ours. */
  partitioned: boolean;
  readyMs?: number;
  availableMs?: number;
  stopBeganMs?: number;
  endpointLagMs?: number;
  /**
   * Plays the schedule's faults aimed at it (origin `schedule`) and its stop's signals (origin `stop`), as the
   * single-target trial's player does: made once the trial's clock runs (`armReplica`), else when its stop begins.
   */
  player?: Player;
  /** The schedule's faults aimed at it, handed to the player as the moments they are timed from come. */
  faults?: ReplicaFaults;
  /** Its readiness flaps, which fail its probes while they hold. */
  flaps?: ReadinessFlaps;
  stopped?: StopOutcome;
  /** Its readiness probing goes on until its stop begins. */
  stopProbing: AbortController;
  /** Ready but kept out of rotation until the balancer is switched to it (blue-green). */
  held?: boolean;
}

export async function startReplica(fleet: Fleet, name: string, version: Replica['version'], spec: Target): Promise<Replica> {
  const dataDir = join(fleet.context.dataDir, name);
  await mkdir(dataDir, { recursive: true });
  const startedMs = now();
  // A replica the schedule partitions is reached through a proxy of ours (its endpoint), cut there.
  const partitions = (fleet.schedule?.faults.get(name) ?? []).some((e) => e.kind === 'partition');
  const started = await fleet.backend.start(spec, { ...fleet.context, dataDir, partitions, instance: name });
  return { name, version, spec, started, startedMs, partitioned: partitions, stopProbing: new AbortController() };
}

/**
 * The port the balancer sends a replica's connections to: where the host reaches its service port (a process's own
 * port, a container's published one), or, when the schedule cuts it off on the process backend, its partition proxy.
 */
export const rotationPort = (replica: Replica): number =>
  replica.partitioned && replica.started.backend === 'process' ? replica.started.endpoint!.port : replica.started.hostPort!;

/**
 * Once the trial's clock runs (the workload started): the replica's player, its faults handed over from the moments
 * already reached (an old replica's spawn and readiness, a new one's spawn), and its readiness flaps.
 */
export function armReplica(fleet: Fleet, replica: Replica): void {
  const player = (replica.player ??= new Player(faultsOf(replica.started), fleet.originMs));
  const moment = (anchor: 'clock' | 'spawn' | 'ready' | 'stop') =>
    anchor === 'clock' ? fleet.originMs : anchor === 'spawn' ? replica.startedMs : anchor === 'ready' ? replica.readyMs : replica.stopBeganMs;
  replica.flaps = new ReadinessFlaps(fleet.schedule?.unready.get(replica.name) ?? [], moment, fleet.originMs);
  const faults = fleet.schedule?.faults.get(replica.name);
  if (!faults?.length) return;
  replica.faults = new ReplicaFaults(replica.name, faults, player, fleet.originMs);
  replica.faults.reached('clock', replica.startedMs);
  replica.faults.reached('spawn', replica.startedMs);
  if (replica.readyMs !== undefined) replica.faults.reached('ready', replica.readyMs);
}

/**
 * The readiness probe every period from the replica's start (Kubernetes' readinessProbe, no initial delay): in
 * rotation at its first pass, out after failureThreshold failures in a row, in again at the next pass; until its stop
 * begins. Resolves once it first passed; an infrastructure error when it never does within `ready.timeout`.
 */
export function probeReadiness(fleet: Fleet, replica: Replica, spec: Target): Promise<void> {
  const { periodMs, failureThreshold } = fleet.plan.readiness;
  let probe = readinessProbe(spec.ready);
  const abort = AbortSignal.any([fleet.abort, replica.stopProbing.signal]);
  return new Promise<void>((resolve, reject) => {
    const loop = async () => {
      for (let k = 0, failures = 0; !abort.aborted; k++) {
        await sleepUntil(replica.startedMs + k * periodMs, abort);
        if (abort.aborted) break;
        // A fresh probe each period: a start-up probe holds for good once it passed (probes/for-all.ts), a readiness probe must not.
        if (replica.readyMs !== undefined) probe = readinessProbe(spec.ready);
        const flapping = replica.flaps?.failsProbeAt(now()) ?? false;
        const ok = !flapping && replica.started.mainExit === undefined && (await probe.check(replica.started));
        failures = ok ? 0 : failures + 1;
        if (ok) {
          // In rotation before it counts as ready: the controller may stop an old replica as soon as it does.
          if (!replica.held) await fleet.balancer.add(replica.name, rotationPort(replica), 'readiness passed');
          if (replica.readyMs === undefined) (replica.readyMs = now()), replica.faults?.reached('ready', replica.readyMs), resolve();
        } else if (replica.readyMs !== undefined) {
          if (failures === failureThreshold && !replica.held) {
            await fleet.balancer.remove(replica.name, `readiness failed ${failures} times in a row${flapping ? ' (a flap of the schedule)' : ''}`);
          }
        } else if (now() - replica.startedMs > spec.ready.timeout) {
          return reject(infrastructure(`replica ${replica.name} was not ready within ${formatMs(spec.ready.timeout)}: waiting for ${probe.waitingFor()}`));
        }
      }
      reject(infrastructure(`replica ${replica.name}: interrupted before it was ready`));
    };
    loop().catch(reject);
  });
}

/**
 * The replica's stop, from now on or from `notBeforeMs` (monotonic clock): the stop model's sequence (preStop, signal,
 * grace, the final kill), and beside it the endpoint removal: the balancer keeps sending it new connections for `lagMs`
 * (behind health checks, until they fail; with `removal`, until that has taken it out: a blue-green switch).
 * Resolves once it is gone.
 */
export async function stopReplica(fleet: Fleet, replica: Replica, stop: StopSettings, lagMs: number, notBeforeMs = 0, removal?: Promise<void>): Promise<void> {
  await sleepUntil(notBeforeMs, fleet.abort); // the schedule may hold a replica's stop back (fuzz/arbitrary.ts)
  replica.stopProbing.abort();
  replica.stopBeganMs = now();
  replica.faults?.reached('stop', replica.stopBeganMs);
  // Behind a balancer's own health checks nothing removes it: the checks do, once they fail.
  if (!fleet.plan.healthCheck) replica.endpointLagMs = lagMs;
  const removed =
    removal ??
    (fleet.plan.healthCheck
      ? Promise.resolve()
      : sleepUntil(replica.stopBeganMs + lagMs, fleet.abort).then(() =>
          fleet.balancer.remove(replica.name, `endpoint removed ${Math.round(lagMs)} ms after its stop began`),
        ));
  const { started } = replica;
  const player = (replica.player ??= new Player(faultsOf(started), fleet.originMs));
  replica.stopped = await playStop(
    stop,
    { target: started, player, originMs: fleet.originMs, origin: 'stop', heal: () => player.heal(), stopTraffic: () => undefined, abort: fleet.abort },
    lagMs,
  );
  await removed;
  await player.stop();
}

/** A replica as the player's fault target: its own signals, pauses and cuts. */
function faultsOf(started: StartedTarget): FaultTarget {
  return {
    signal: (signals, to) => started.signal(signals, recipientOf(to).recipient),
    recipients: (to) => started.recipients(recipientOf(to).recipient),
    pause: () => started.pause(),
    partition: (spec) => started.partition(spec),
  };
}
