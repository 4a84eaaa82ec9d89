// The load balancer a rollout's traffic goes through: one port the workload connects to, replicas taken in and out
// of rotation. sigstorm's own (embedded.ts) is the default; a real one (HAProxy through its runtime API) is the next
// mode behind the same interface. Times are on the trial's monotonic clock (performance.now()).

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
}

export interface LoadBalancer extends AsyncDisposable {
  /** Which implementation: `embedded` (sigstorm's own), later `haproxy`. */
  readonly kind: 'embedded';
  /** Where the workload connects (loopback). */
  readonly port: number;
  /** New connections may go to the replica at `port` from now on. */
  add(replica: string, port: number, why?: string): void;
  /** No new connection goes to it from now on; connections already established stay on it until closed. */
  remove(replica: string, why?: string): void;
  readonly rotation: readonly RotationChange[];
  readonly routes: readonly Route[];
}
