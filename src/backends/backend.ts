import type { Target } from '../scenario/types.js';
import type { Applied, BackendName, PartitionSpec, StartedTarget } from './target.js';

export type { BackendName };
export type BackendChoice = BackendName | 'auto';

export interface StartContext {
  runId: string;
  scenario: string;
  /** Labels every resource carries, so leftovers can be found (`sigstorm gc`). */
  labels: Record<string, string>;
  /** A fresh host directory for this trial: DATA_DIR for a process, mounted at `target.dataDir` in a container. */
  dataDir: string;
  /** The schedule holds partitions: a process target gets a TCP proxy in front (containers are cut with iptables). */
  partitions: boolean;
  /** The trial's stack network, when the target has dependencies. */
  network?: StackNetwork;
  /** Set when starting a dependency of the target: its service name. */
  dependency?: string;
  /** Set when starting the same service again in one trial (the read-back's restart): tells its processes apart. */
  instance?: string;
  /** Added to the service's environment: the addresses of the services it needs. */
  environment?: Record<string, string>;
}

/** What a stack network knows of one started service. */
export interface StackMember {
  name: string;
  started: StartedTarget;
}

/**
 * The links between the services of one trial's stack: where one service reaches another, and how an edge is cut.
 * Docker: a user-defined network on which service names resolve, cut by iptables in both containers' namespaces.
 * Processes: loopback, with a proxy of ours on every edge the schedule partitions.
 */
export interface StackNetwork extends AsyncDisposable {
  /** Set on a container that must join the network (docker), under its service name. */
  readonly name?: string;
  /** The address (host:port) at which `consumer` reaches `provider`. */
  address(consumer: string, provider: StackMember): Promise<string>;
  /** Cuts traffic between two services until the returned heal restores it; `direction` is seen from `a`. */
  cut(a: StackMember, b: StackMember, spec: PartitionSpec): Promise<Applied>;
}

export interface NetworkContext {
  runId: string;
  labels: Record<string, string>;
  /** The edges the schedule partitions (service names, either order). */
  partitioned: [string, string][];
}

export interface Backend {
  readonly name: BackendName;
  /** Builds whatever the target needs (images, binaries); called once before trials. */
  prepare(target: Target): Promise<void>;
  start(target: Target, context: StartContext): Promise<StartedTarget>;
  /** The network a stack's services share for one trial. */
  network(context: NetworkContext): Promise<StackNetwork>;
}
