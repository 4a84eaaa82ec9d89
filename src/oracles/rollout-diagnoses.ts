import type { Entry } from './entry.js';

// The catalogue's entries for failures across a rollout (oracles/rollout.ts), read from the rollout oracle's evidence.

/** What the rollout oracle found of requests routed to a stopping replica that no longer accepted (its evidence). */
export interface RoutedWhileStopping {
  count: number;
  replicas: string[];
  /** The endpoint lag of the first such replica's stop, and when its signal came after its stop began. */
  lagMs: number;
  signalInMs: number;
}

const routedOf = (evidence: Record<string, unknown> | undefined): RoutedWhileStopping | undefined =>
  evidence?.routedWhileStopping as RoutedWhileStopping | undefined;

export const ROLLOUT: Entry[] = [
  {
    id: 'no-prestop-under-endpoint-lag',
    reads: 'requests lost across a rollout, most of them routed by the load balancer to an old replica after its stop signal, within the endpoint lag, and never answered',
    explains: ['rollout/routed-while-stopping'],
    confidence: 'high',
    when: (c, f) => c.record.rollout !== undefined && (routedOf(f.evidence)?.count ?? 0) > 0,
    cause: (_c, f) => {
      const r = routedOf(f.evidence)!;
      return (
        `The load balancer kept sending new connections to ${r.replicas.join(', ')} for ${Math.round(r.lagMs)} ms after its stop began (endpoint removal lag), ` +
        `but its stop signal came ${Math.round(r.signalInMs)} ms in and it closed its listener at once: ${r.count} connection(s) routed to it in that window were never answered. ` +
        'Stopped alone, the same service drains cleanly; only a rollout behind a lagging load balancer shows it.'
      );
    },
    fix: 'Add a preStop hook that sleeps longer than endpoint removal takes (lifecycle.preStop.sleep, a few seconds), or keep accepting connections that long after the stop signal before closing the listener.',
  },
];
