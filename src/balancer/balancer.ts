// The load balancer a rollout's traffic goes through: one port the workload connects to, replicas taken in and out
// of rotation. sigstorm's own (embedded.ts) is the default; a real one (HAProxy through its runtime API) is the next
// mode behind the same interface. Times are on the trial's monotonic clock (performance.now()).

import type { RotationChange, Route } from '../rollout/rotation.js';

export type { RotationChange, Route };

export type BalancerKind = 'embedded' | 'haproxy' | 'nginx';

export interface LoadBalancer extends AsyncDisposable {
  /** Which implementation: `embedded` (sigstorm's own), `haproxy` (Debian's, through its runtime API) or `nginx` (reloaded). */
  readonly kind: BalancerKind;
  /** Where the workload connects (loopback). */
  readonly port: number;
  /** New connections may go to the replica at `port` from now on. */
  add(replica: string, port: number, why?: string): void | Promise<void>;
  /** No new connection goes to it from now on; connections already established stay on it until closed. */
  remove(replica: string, why?: string): void | Promise<void>;
  readonly rotation: readonly RotationChange[];
  /** Where each connection went (HAProxy's: as logged, once each connection has closed). */
  readonly routes: readonly Route[];
  /** Waits until every connection closed so far is in `routes` (HAProxy logs each as it closes). */
  settled(): Promise<void>;
}
