// What a load balancer did during a rollout, as plain data: the rotation's changes and where each connection of the
// workload went (src/balancer/ records them), and which replica each request of the ledger was therefore sent to.

/** A change of the rotation: a replica taken in (its readiness passed) or out (endpoint removal, readiness failed). */
export interface RotationChange {
  atMs: number;
  replica: string;
  change: 'in' | 'out';
  /** The replicas in rotation after the change, in order. */
  inRotation: string[];
  /** Why, for people: "ready", "endpoint removed 1000 ms after its stop began", "readiness failed 3 times". */
  why?: string;
}

/** One connection of the workload, and where the balancer sent it. */
export interface Route {
  /** The client's port, as the workload's ledger names its connection (`localPort`). */
  clientPort: number;
  acceptedMs: number;
  /** The replica it was sent to; absent when none was in rotation. */
  replica?: string;
  /** connected: the replica took it; refused: its connect failed (the replica no longer listened); none: no replica in rotation. */
  outcome: 'connected' | 'refused' | 'none';
  /** When the replica's side connected, or the connect failed. */
  upstreamMs?: number;
  /** The error of a failed connect (ECONNREFUSED). */
  error?: string;
  /** A route of one request, not of a whole connection (nginx picks an upstream per request): `acceptedMs` is when it began. */
  perRequest?: boolean;
}

/** The part of a ledger entry attribution reads: its id, and the client port and connect time of its connection. */
export interface Connected {
  id: number;
  localPort?: number;
  connectedMs?: number;
  sentMs: number;
}

/**
 * Which route each request went by: the balancer's route for the client port its connection had, the one accepted
 * nearest the client's connect (ports are reused over a long trial, never within moments), or, for a balancer that
 * routes each request (nginx), the one that began nearest the request's send. Times on one clock.
 * Requests with no connection known (refused before connecting) have none.
 */
export function attribute(ledger: readonly Connected[], routes: readonly Route[]): Map<number, Route> {
  const byPort = new Map<number, Route[]>();
  for (const r of routes) byPort.set(r.clientPort, [...(byPort.get(r.clientPort) ?? []), r]);
  const found = new Map<number, Route>();
  for (const e of ledger) {
    const candidates = e.localPort === undefined ? undefined : byPort.get(e.localPort);
    if (!candidates) continue;
    const at = (r: Route) => (r.perRequest ? e.sentMs : (e.connectedMs ?? e.sentMs));
    const nearest = candidates.reduce((best, r) => (Math.abs(r.acceptedMs - at(r)) < Math.abs(best.acceptedMs - at(best)) ? r : best));
    found.set(e.id, nearest);
  }
  return found;
}
