import { dirname } from 'node:path';
import type { LoadBalancer } from '../balancer/balancer.js';
import { embeddedBalancer } from '../balancer/embedded.js';
import { haproxyBalancer } from '../balancer/haproxy.js';
import { processBackend } from '../backends/process/backend.js';
import { nginxBalancer } from '../balancer/nginx.js';
import { badInput, infrastructure } from '../errors.js';
import { readStat } from '../host/procfs.js';
import { startTimingThread } from '../host/timing-thread.js';
import { journal } from '../leftovers/journal.js';
import { waitReady } from '../probes/ready.js';
import { nextMoves, rolloutDone, type Fleet as Counts } from '../rollout/plan.js';
import { describeProblems, rolloutSchedule, type RolloutSchedule } from '../rollout/schedule.js';
import { describeEvent } from '../schedule/event.js';
import type { Rollout, Target } from '../scenario/types.js';
import { linkedSignal, now, sleepUntil } from '../time.js';
import { startWorkload } from '../workload/workload.js';
import { withDataDir } from './data-dir.js';
import type { TrialRecord } from './record.js';
import { armReplica, rotationPort, startReplica, type Fleet, type Replica } from './replica.js';
import { playBlueGreen } from './rollout-blue-green.js';
import { rolloutRecord } from './rollout-record.js';
import { startNew, stopOld, type RolloutRun } from './rollout-steps.js';
import { playSwarmUpdate } from './rollout-swarm.js';
import type { TrialOptions } from './state.js';

/**
 * One rollout trial, on either backend: `replicas` copies of the target behind sigstorm's balancer, ready, the workload
 * sent through the balancer, then the update played by its strategy (a Deployment's RollingUpdate, compose's
 * update_config as Swarm plays it, blue-green): new replicas started, old ones stopped by the scenario's stop model with
 * the endpoint lag beside them, until every old one is gone; the schedule's faults aimed at a replica played by that
 * replica's own player, its readiness flaps by its prober (rollout/schedule.ts reads them, and the size a `rollout`
 * event gives). Every replica, the balancer and the data directory are removed on the way out, on errors and
 * interrupts alike. Judging is left to the oracles (oracles/rollout.ts).
 */
export async function runRolloutTrial(options: TrialOptions): Promise<TrialRecord> {
  const { scenario, backend } = options;
  const played = rolloutSchedule(scenario.rollout!, options.schedule);
  if (played.problems.length > 0) {
    const lines = describeProblems(played.problems, (i) => describeEvent(options.schedule[i]!));
    throw badInput(`scenario ${scenario.name}: the schedule holds what a rollout cannot play:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
  const rollout = played.plan;
  if (options.signal?.aborted) throw infrastructure('interrupted before the replicas were started');
  startTimingThread();
  const abort = linkedSignal(options.signal);
  // Ends every wait of the trial (stop sequences, probes, sleeps) once it is over, however it ended.
  const over = new AbortController();
  const signal = AbortSignal.any([abort.signal, over.signal]);
  try {
    return await withDataDir(options.runId, async (dataDir) => {
      const context = contextOf(options, dataDir);
      await using balancer = await balancerFor(rollout, context, scenario.target);
      const replicas: Replica[] = [];
      try {
        const fleet: Fleet = { backend, balancer, plan: rollout, schedule: played, originMs: 0, beganMs: 0, abort: signal, context };
        return await playTrial(options, fleet, played, replicas);
      } finally {
        over.abort();
        await Promise.allSettled(replicas.map((r) => r.player?.stop())); // pauses and cuts healed before anything is removed
        // Last started first; one that fails to go does not keep the others.
        const gone = await Promise.allSettled(replicas.reverse().map((r) => r.started[Symbol.asyncDispose]()));
        const failed = gone.find((g) => g.status === 'rejected');
        if (failed) throw failed.reason;
      }
    });
  } finally {
    abort.dispose();
  }
}

/** The old replicas started and ready, the traffic on, the rollout played, the traffic stopped: the record. */
async function playTrial(options: TrialOptions, fleet: Fleet, played: RolloutSchedule, replicas: Replica[]): Promise<TrialRecord> {
  const { scenario } = options;
  const rollout = fleet.plan;
  journal.phase('starting', `${rollout.replicas} replicas`);
  for (let i = 1; i <= rollout.replicas; i++) replicas.push(await startReplica(fleet, `v1-${i}`, 'v1', scenario.target));
  for (const r of replicas) {
    r.readyMs = await waitReady(r.started, scenario.target.ready, fleet.abort, { what: `replica ${r.name}` });
    r.availableMs = r.readyMs;
    await fleet.balancer.add(r.name, rotationPort(r), 'ready before the rollout');
  }
  journal.phase('ready', options.runId);
  fleet.originMs = now();
  for (const r of replicas) armReplica(fleet, r);
  const readyAt = new Date().toISOString();
  const traffic = startWorkload({
    workload: scenario.workload,
    endpoint: { host: '127.0.0.1', port: fleet.balancer.port },
    services: new Map(),
    originMs: fleet.originMs,
    cwd: dirname(scenario.path),
    runId: options.runId,
  });
  try {
    await playRollout(options, fleet, played, replicas);
  } catch (error) {
    await traffic.stop().catch(() => undefined); // no load loop outlives the trial
    throw error;
  }
  const endedMs = fleet.abort.aborted ? undefined : now();
  const ledger = await traffic.stop();
  await fleet.balancer.settled();
  await Promise.all(replicas.map((r) => r.player?.stop())); // a new replica's pauses and cuts end with the trial
  for (const r of replicas) r.faults?.missed(), r.flaps?.missed();
  return rolloutRecord({ options, fleet, replicas, ledger, connections: traffic.connections, readyAt, ...(endedMs !== undefined ? { endedMs } : {}) });
}

/** The rollout's timing from the schedule, then its strategy's moves until every old replica is gone. */
async function playRollout(options: TrialOptions, fleet: Fleet, played: RolloutSchedule, replicas: Replica[]): Promise<void> {
  const { scenario } = options;
  const plan = fleet.plan;
  const { atMs, stops: timing, lagMs } = played;
  fleet.beganMs = fleet.originMs + atMs;
  await sleepUntil(fleet.beganMs, fleet.abort);
  const run: RolloutRun = { fleet, replicas, olds: [...replicas], spec: scenario.rollout!.to ?? scenario.target, stop: scenario.stop, timing, lagMs };
  journal.phase('stopping', 'rollout');
  if (plan.strategy === 'compose') return playSwarmUpdate(run);
  if (plan.strategy === 'blue-green') return playBlueGreen(run);
  return playRollingUpdate(run);
}

/**
 * The Deployment controller's loop: at each change (a new replica available), the moves `nextMoves` gives, until the
 * rollout is done and every old replica is gone. A new replica that never becomes ready ends the trial (infrastructure).
 */
async function playRollingUpdate(run: RolloutRun): Promise<void> {
  const { fleet } = run;
  const plan = fleet.plan;
  const counts: Counts = { old: plan.replicas, newStarted: 0, newAvailable: 0 };
  const pending = new Set<Promise<void>>();
  const stops: Promise<void>[] = [];
  // A new replica, counted available once it is; its error ends the trial where the loop awaits it.
  const startOne = () => {
    const name = `v2-${++counts.newStarted}`;
    const available: Promise<void> = startNew(fleet, name, run.spec, run.replicas).then(() => {
      counts.newAvailable++;
      pending.delete(available);
    });
    available.catch(() => undefined);
    pending.add(available);
  };
  while (!rolloutDone(plan, counts) && !fleet.abort.aborted) {
    // One sync of the controller: moves until none is left to make now (a stop makes room for a start).
    for (let moves = nextMoves(plan, counts); moves.length > 0; moves = nextMoves(plan, counts)) {
      for (const move of moves) {
        if (move === 'start-new') startOne();
        else stops.push(stopOld(run, plan.replicas - counts.old--));
      }
    }
    if (rolloutDone(plan, counts)) break;
    if (pending.size === 0) throw infrastructure('the rollout cannot progress: nothing is starting and nothing may be stopped');
    await Promise.race(pending);
  }
  await Promise.all([...stops, ...pending]);
}

/**
 * The rollout's load balancer, on the host whichever backend runs the replicas (it reaches each at its rotationPort).
 * HAProxy or nginx runs as a host process of the trial (its files in the data directory), checking the target's readiness
 * path where the scenario asks for its own health checks.
 */
function balancerFor(rollout: Rollout, context: Fleet['context'], target: Target): Promise<LoadBalancer> {
  if (rollout.balancer === 'embedded') return embeddedBalancer();
  if (rollout.balancer === 'nginx') return nginxBalancer(context.dataDir, (spec) => processBackend.start(spec, { ...context, partitions: false, instance: 'nginx' }));
  const checks = rollout.healthCheck && { ...rollout.healthCheck, ...(target.ready.http && target.ready.port === undefined ? { path: target.ready.http } : {}) };
  return haproxyBalancer(context.dataDir, (spec) => processBackend.start(spec, { ...context, partitions: false, instance: 'haproxy' }), checks);
}

/** The start context every replica shares: labelled as this run's, so `sigstorm gc` finds them after a SIGKILL. */
function contextOf(options: TrialOptions, dataDir: string): Fleet['context'] {
  const { scenario, runId } = options;
  return {
    dataDir,
    runId,
    scenario: scenario.name,
    labels: {
      sigstorm: 'true',
      'sigstorm.run': runId,
      'sigstorm.scenario': scenario.name,
      'sigstorm.pid': String(process.pid),
      'sigstorm.pid-start': String(readStat(process.pid)?.startTime ?? 0),
    },
  };
}
