import type { ReplicaLane, RolloutRecord, TrialRecord } from '../trial/record.js';
import { operationLabel, outcomeLabel, type LedgerEntry } from '../workload/ledger.js';
import { UNANSWERED_CLOSE_MS } from './lost-requests.js';
import { diagnose } from './diagnose.js';
import type { ReadinessLost } from './rollout-diagnoses.js';
import { keptAliveEvidence, keptAliveThroughDrain, leftRotationMs, nearestRoute, placed, routedBeforeWarm, routedEvidence, routedWhileStopping, warmEvidence, type Placed } from './rollout-causes.js';
import { failedByFaults, heldByFaults, outBySchedule } from './rollout-faults.js';
import { combine, type OracleResult, type Verdict } from './verdict.js';

type Judged = { verdict: Verdict; results: OracleResult[] };

/**
 * A rollout is judged across its replicas: each old replica's own record by every oracle a single target is judged
 * by (`judgeOne`: its exit contract, its deadline, the requests the balancer sent it), named after the replica; the
 * whole rollout's traffic, with the diagnosis of requests lost to a replica the balancer still routed to after it had
 * stopped accepting; and its capacity, never under what max_unavailable allows.
 */
export function judgeRollout(record: TrialRecord, judgeOne: (record: TrialRecord) => Judged): Judged {
  const rollout = record.rollout!;
  const perReplica = rollout.replicas.flatMap((lane) => (lane.record ? judgeLane(lane, lane.record, judgeOne) : []));
  const results = [...safely(() => diagnose(record, [...lostAcrossRollout(record, rollout), ...capacity(rollout, record)])), ...perReplica];
  return { verdict: combine(results), results };
}

function judgeLane(lane: ReplicaLane, record: TrialRecord, judgeOne: (record: TrialRecord) => Judged): OracleResult[] {
  return safely(() =>
    judgeOne(record).results.map((r) => ({ ...r, message: `${lane.name}: ${r.message}`, evidence: { ...r.evidence, replica: lane.name } })),
    `rollout/${lane.name}`,
  );
}

/** An oracle that throws gives unknown with its error, never a crash. */
function safely(judge: () => OracleResult[], oracle = 'rollout'): OracleResult[] {
  try {
    return judge();
  } catch (error) {
    return [{ oracle, verdict: 'unknown', message: `oracle crashed: ${(error as Error).message}` }];
  }
}

/** Every request of the rollout must end ok: the users of a service being deployed are owed every answer. */
function lostAcrossRollout(record: TrialRecord, rollout: RolloutRecord): OracleResult[] {
  const requests = record.ledger.filter((e) => e.kind === 'request' || e.kind === 'stream');
  if (requests.length === 0) return [];
  const failed = requests.filter((e) => e.outcome !== 'ok');
  const closedAtDrain = failed.filter((e) => closedUnansweredAtDrain(e, rollout));
  // Sent to a replica the schedule froze or cut off: the schedule failed them, not the rollout.
  const byFaults = failedByFaults(failed, rollout, record).filter((e) => !closedAtDrain.includes(e));
  const lost = failed.filter((e) => !closedAtDrain.includes(e) && !byFaults.includes(e));
  const perReplica = countBy(requests, (e) => rollout.routedTo[e.id] ?? '(none)');
  const lostPerReplica = countBy(lost, (e) => rollout.routedTo[e.id] ?? '(none)');
  if (lost.length === 0) {
    const drained = closedAtDrain.length ? ` (${closedAtDrain.length} closed unanswered by a replica at its stop signal, as refusals: the client may retry them)` : '';
    const faulted = byFaults.length ? ` (${byFaults.length} failed on a replica the schedule froze or cut off)` : '';
    return [
      {
        oracle: 'rollout',
        verdict: 'pass',
        message: `no request lost across the rollout: ${requests.length} sent, all answered in full${drained}${faulted}`,
        evidence: { perReplica, closedAtDrain: closedAtDrain.length, ...(byFaults.length ? { failedByFaults: byFaults.length } : {}) },
      },
    ];
  }
  const causes = causesOf(lost, rollout, record.ledger);
  const e0 = lost[0]!;
  const replicaOf = (e: LedgerEntry) => rollout.routedTo[e.id] ?? 'no replica';
  return [
    {
      oracle: 'rollout',
      verdict: 'fail',
      // Named after what most of the lost requests show, so one signature per cause across runs.
      kind: CAUSES.find((c) => 2 * causes[c.key].length >= lost.length)?.kind ?? 'lost-requests',
      message:
        `${lost.length} of ${requests.length} request(s) lost across the rollout (${Object.entries(lostPerReplica).map(([r, n]) => `${n} sent to ${r}`).join(', ')}); ` +
        `e.g. ${operationLabel(e0)} at +${Math.round(e0.sentMs)} ms, sent to ${replicaOf(e0)}: ${outcomeLabel(e0)}`,
      evidence: {
        perReplica,
        lostPerReplica,
        ...(causes.lagged.length > 0 ? { routedWhileStopping: routedEvidence(causes.lagged, rollout) } : {}),
        ...(causes.keptAlive.length > 0 ? { keptAliveThroughDrain: keptAliveEvidence(causes.keptAlive) } : {}),
        ...(causes.beforeWarm.length > 0 ? { routedBeforeWarm: warmEvidence(causes.beforeWarm, rollout) } : {}),
        lost: lost.slice(0, 20).map((e) => ({ id: e.id, request: `${e.method} ${e.path}`, replica: replicaOf(e), sentMs: Math.round(e.sentMs), outcome: e.outcome })),
      },
    },
  ];
}

/** The causes a rollout's lost requests can show, in the order a failure is named after them. */
const CAUSES = [
  { key: 'lagged', kind: 'routed-while-stopping' },
  { key: 'keptAlive', kind: 'keep-alive-cut' },
  { key: 'beforeWarm', kind: 'routed-before-warm' },
] as const;

function causesOf(lost: LedgerEntry[], rollout: RolloutRecord, ledger: readonly LedgerEntry[]): Record<(typeof CAUSES)[number]['key'], Placed[]> {
  const where = placed(lost, rollout);
  return { lagged: routedWhileStopping(where, rollout), keptAlive: keptAliveThroughDrain(where), beforeWarm: routedBeforeWarm(where, rollout, ledger) };
}

/**
 * Closed unanswered at its replica's stop signal, as the single-target lost-requests oracle counts a refusal: reset
 * without a byte of answer once the signal was out, within a round trip of being sent, on a connection the replica had
 * taken (an idle keep-alive connection it closed as it drained; the client may retry it). Not when the balancer still
 * sent it new connections after its signal: those are what the rollout loses.
 */
function closedUnansweredAtDrain(e: LedgerEntry, rollout: RolloutRecord): boolean {
  const name = rollout.routedTo[e.id];
  const lane = rollout.replicas.find((l) => l.name === name);
  if (!lane || lane.signalMs === undefined || lane.stopBeganMs === undefined) return false;
  if (e.outcome !== 'reset' || e.firstByteMs !== undefined || e.endMs < lane.signalMs || e.endMs - e.sentMs >= UNANSWERED_CLOSE_MS) return false;
  const outMs = leftRotationMs(rollout, lane)!;
  const routedAfterSignal = lane.signalMs < outMs && e.sentMs < outMs;
  return !routedAfterSignal && nearestRoute(rollout.routes, name!, e)?.outcome === 'connected';
}

/**
 * The rollout never had fewer replicas available than `replicas − max_unavailable`: in the balancer's rotation and not
 * yet stopping (a replica counts as gone once its stop begins, as the controller counts it; in blue-green, once the
 * switch took it out), from the rollout's beginning to its end. A readiness probe that fails mid-rollout, or a balancer that drops a replica early, shows here.
 */
function capacity(rollout: RolloutRecord, record: Pick<TrialRecord, 'events'>): OracleResult[] {
  // Out of rotation by the schedule's pause, cut or readiness flap: the schedule's doing, counted as available.
  const held = heldByFaults(record);
  const graceMs = rollout.plan.readiness.periodMs;
  const outByFault = (name: string, t: number) => {
    const last = rollout.rotation.filter((c) => c.replica === name && c.atMs <= t).at(-1);
    return last?.change === 'out' && outBySchedule(held, name, last.atMs, graceMs);
  };
  const floor = rollout.plan.replicas - rollout.plan.maxUnavailable;
  const end = rollout.endedMs ?? Math.max(rollout.beganMs, ...rollout.rotation.map((c) => c.atMs));
  const instants = [rollout.beganMs, ...rollout.rotation.map((c) => c.atMs), ...rollout.replicas.flatMap((l) => (l.stopBeganMs === undefined ? [] : [l.stopBeganMs]))]
    .filter((t) => t >= rollout.beganMs && t <= end)
    .sort((a, b) => a - b);
  // Blue-green stops the old replicas as it switches: they serve until the switch reaches the balancer, not until their stop.
  const switched = rollout.plan.strategy === 'blue-green';
  const availableAt = (t: number) =>
    rollout.replicas.filter((l) => (inRotationAt(rollout, l.name, t) || outByFault(l.name, t)) && (switched || l.stopBeganMs === undefined || t < l.stopBeganMs)).map((l) => l.name);
  const dip = instants.map((t) => ({ atMs: t, available: availableAt(t) })).find((a) => a.available.length < floor);
  if (!dip) {
    return [{ oracle: 'rollout', verdict: 'pass', message: `never fewer than ${floor} replica(s) available during the rollout (replicas ${rollout.plan.replicas} − max_unavailable ${rollout.plan.maxUnavailable})` }];
  }
  return [
    {
      oracle: 'rollout',
      verdict: 'fail',
      kind: 'capacity-dip',
      message: `only ${dip.available.length} replica(s) available at +${Math.round(dip.atMs)} ms (${dip.available.join(', ') || 'none'}): the rollout allows no fewer than ${floor}`,
      evidence: { atMs: dip.atMs, available: dip.available, floor, ...leftWhileServing(rollout, dip.atMs) },
    },
  ];
}

/**
 * The replicas out of the rotation at `t` that the balancer had taken in and then out before their stop began (their
 * readiness failed after it had passed): when each joined, left, and came back. Empty when none did.
 */
function leftWhileServing(rollout: RolloutRecord, t: number): { readinessLost?: ReadinessLost[] } {
  const lost = rollout.replicas.flatMap((l): ReadinessLost[] => {
    const changes = rollout.rotation.filter((c) => c.replica === l.name);
    const left = changes.filter((c) => c.atMs <= t).at(-1);
    const joined = changes.find((c) => c.change === 'in');
    if (left?.change !== 'out' || !joined || joined.atMs > left.atMs || (l.stopBeganMs !== undefined && l.stopBeganMs <= left.atMs)) return [];
    const back = changes.find((c) => c.change === 'in' && c.atMs > left.atMs);
    return [{ replica: l.name, joinedMs: joined.atMs, leftMs: left.atMs, ...(back ? { backMs: back.atMs } : {}) }];
  });
  return lost.length > 0 ? { readinessLost: lost } : {};
}

/** In the balancer's rotation at `t`: its last change at or before `t` took it in. */
const inRotationAt = (rollout: RolloutRecord, replica: string, t: number) =>
  rollout.rotation.filter((c) => c.replica === replica && c.atMs <= t).at(-1)?.change === 'in';

const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> =>
  items.reduce<Record<string, number>>((acc, item) => ((acc[key(item)] = (acc[key(item)] ?? 0) + 1), acc), {});
