import type { Target } from '../scenario/types.js';
import type { BackendName, StartedTarget } from './target.js';

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
}

export interface Backend {
  readonly name: BackendName;
  /** Builds whatever the target needs (images, binaries); called once before trials. */
  prepare(target: Target): Promise<void>;
  start(target: Target, context: StartContext): Promise<StartedTarget>;
}
