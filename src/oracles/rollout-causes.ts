import type { Route } from '../rollout/rotation.js';
import type { ReplicaLane, RolloutRecord } from '../trial/record.js';
import type { LedgerEntry } from '../workload/ledger.js';
import type { KeptAliveThroughDrain, RoutedBeforeWarm, RoutedWhileStopping } from './rollout-diagnoses.js';

// What the requests lost across a rollout show, one reading per cause (pure, over the rollout's record): routed to a
// replica that had stopped accepting, cut on a keep-alive connection a draining replica left open, or routed to a new
// replica that its own probe called ready before it could serve. The rollout oracle names its failure after the one
// most of the lost requests show.

/** A lost request, the replica the balancer sent its connection to, and that connection's route. */
export interface Placed {
  entry: LedgerEntry;
  lane: ReplicaLane;
  route: Route;
}

/** Requests sent this close together may reach a replica in either order. */
const REORDER_MS = 50;

/** Each lost request with its replica and route, where the record says both. */
export function placed(lost: readonly LedgerEntry[], rollout: RolloutRecord): Placed[] {
  const byReplica = new Map(rollout.replicas.map((l) => [l.name, l]));
  return lost.flatMap((entry) => {
    const name = rollout.routedTo[entry.id];
    const lane = name === undefined ? undefined : byReplica.get(name);
    const route = lane && nearestRoute(rollout.routes, lane.name, entry);
    return lane && route ? [{ entry, lane, route }] : [];
  });
}

/** The route of `e`'s connection to `replica`: the one from its client port accepted nearest to its connect. */
export const nearestRoute = (routes: readonly Route[], replica: string, e: LedgerEntry): Route | undefined =>
  routes
    .filter((r) => r.replica === replica && r.clientPort === e.localPort)
    .reduce<Route | undefined>((best, r) => (!best || Math.abs(r.acceptedMs - (e.connectedMs ?? e.sentMs)) < Math.abs(best.acceptedMs - (e.connectedMs ?? e.sentMs)) ? r : best), undefined);

/**
 * When a stopping replica left the balancer's rotation: its stop's beginning plus the endpoint lag played; behind the
 * balancer's own health checks (no lag played), its first change out once its stop began, else the trial's end.
 */
export function leftRotationMs(rollout: RolloutRecord, lane: ReplicaLane): number | undefined {
  if (lane.stopBeganMs === undefined) return undefined;
  if (lane.endpointLagMs !== undefined) return lane.stopBeganMs + lane.endpointLagMs;
  const out = rollout.rotation.find((c) => c.replica === lane.name && c.change === 'out' && c.atMs >= lane.stopBeganMs!);
  return out?.atMs ?? rollout.endedMs ?? Number.POSITIVE_INFINITY;
}

/** Routed to a replica after its stop signal, while still in rotation, and never answered (refused, or reset from the listen queue). */
export function routedWhileStopping(lost: readonly Placed[], rollout: RolloutRecord): Placed[] {
  return lost.filter(({ entry, lane, route }) => {
    if (lane.stopBeganMs === undefined || lane.signalMs === undefined) return false;
    const stillIn = route.acceptedMs >= lane.stopBeganMs && route.acceptedMs < leftRotationMs(rollout, lane)!;
    return stillIn && route.acceptedMs >= lane.signalMs && entry.firstByteMs === undefined;
  });
}

/**
 * Sent after the replica's stop signal on a connection it had accepted before its stop began, and cut (reset or
 * truncated): the replica neither answered it nor closed that connection while it drained (a connection it closed
 * when idle refuses the next request at once, which is not lost: see closedUnansweredAtDrain in rollout.ts).
 */
export function keptAliveThroughDrain(lost: readonly Placed[]): Placed[] {
  return lost.filter(({ entry, lane, route }) => {
    if (lane.stopBeganMs === undefined || lane.signalMs === undefined || route.outcome !== 'connected') return false;
    const cut = entry.outcome === 'reset' || entry.outcome === 'truncated';
    return cut && route.acceptedMs < lane.stopBeganMs && entry.sentMs >= lane.signalMs;
  });
}

/**
 * Routed to a replica after its readiness probe took it into the rotation, and turned away (a 5xx, or no byte of an
 * answer) before that replica first answered the same request (path) ok, which it later did: it said ready before it
 * could serve. A replica that never answers it is broken, not warming; one that fails it after answering it, or cuts
 * an answer it began, failed for another reason.
 */
export function routedBeforeWarm(lost: readonly Placed[], rollout: RolloutRecord, ledger: readonly LedgerEntry[]): Placed[] {
  return lost.filter(({ entry, lane, route }) => {
    const joined = joinedMs(rollout, lane.name);
    if (joined === undefined || lane.readyMs === undefined || route.acceptedMs < joined || !turnedAway(entry)) return false;
    if (lane.stopBeganMs !== undefined && entry.sentMs >= lane.stopBeganMs) return false;
    const answered = ledger.filter((e) => rollout.routedTo[e.id] === lane.name && e.path === entry.path && e.sentMs >= joined && e.outcome === 'ok');
    const firstOkMs = Math.min(...answered.map((e) => e.sentMs));
    return Number.isFinite(firstOkMs) && entry.sentMs <= firstOkMs + REORDER_MS;
  });
}

const turnedAway = (e: LedgerEntry) => (e.outcome === 'http-error' ? (e.status ?? 0) >= 500 : e.firstByteMs === undefined);

/** When the replica first joined the balancer's rotation. */
const joinedMs = (rollout: RolloutRecord, replica: string): number | undefined => rollout.rotation.find((c) => c.replica === replica && c.change === 'in')?.atMs;

/** What diagnoses read of the requests routed to a stopping replica (rollout-diagnoses.ts). */
export function routedEvidence(lagged: readonly Placed[], rollout: RolloutRecord): RoutedWhileStopping {
  const lane = lagged[0]!.lane;
  const check = rollout.plan.healthCheck;
  return {
    count: lagged.length,
    replicas: [...new Set(lagged.map((l) => l.lane.name))],
    lagMs: leftRotationMs(rollout, lane)! - lane.stopBeganMs!,
    signalInMs: lane.signalMs! - lane.stopBeganMs!,
    ...(check ? { healthCheck: check } : {}),
  };
}

/** What diagnoses read of the requests cut on connections a draining replica left open. */
export function keptAliveEvidence(cut: readonly Placed[]): KeptAliveThroughDrain {
  const lane = cut[0]!.lane;
  return {
    count: cut.length,
    connections: new Set(cut.map((p) => `${p.lane.name}:${p.route.clientPort}`)).size,
    replicas: [...new Set(cut.map((p) => p.lane.name))],
    exitInMs: lane.exitMs === undefined ? undefined : lane.exitMs - lane.signalMs!,
  };
}

/** What diagnoses read of the requests a new replica failed right after it joined the rotation. */
export function warmEvidence(early: readonly Placed[], rollout: RolloutRecord): RoutedBeforeWarm {
  const replicas = [...new Set(early.map((p) => p.lane.name))];
  const spans = replicas.map((name) => {
    const joined = joinedMs(rollout, name)!;
    return Math.max(...early.filter((p) => p.lane.name === name).map((p) => p.entry.sentMs)) - joined;
  });
  return { count: early.length, replicas, failingForMs: Math.max(...spans), statuses: [...new Set(early.map((p) => p.entry.status ?? p.entry.outcome))] };
}
