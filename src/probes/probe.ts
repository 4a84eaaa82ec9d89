import type { StartedTarget } from '../backends/target.js';

/** What a probe looks at: where the target answers (and where it listens itself), what it printed, what the engine says of its health. */
export type Probed = Pick<StartedTarget, 'endpoint' | 'listening' | 'logs' | 'health'>;

/** One readiness condition, checked again and again until it holds (like testcontainers' wait strategies). */
export interface Probe {
  /** Checks once: true when the condition holds now. */
  check(target: Probed): Promise<boolean>;
  /** What it waits for, with what it last saw: for the message when the target is not ready in time. */
  waitingFor(): string;
}
