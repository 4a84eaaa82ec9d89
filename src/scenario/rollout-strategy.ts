import type { ComposeUpdate } from '../rollout/compose-update.js';
import type { DeploymentRollout } from '../rollout/deployment.js';
import { replicasOf, type Strategy, type SwarmUpdate } from '../rollout/plan.js';
import { swarmBounds } from '../rollout/swarm.js';
import type { ScenarioProblems } from './problems.js';
import type { ParsedScenario } from './schema/scenario.js';

// Which strategy a scenario's `rollout:` plays, and the bounds it keeps: RollingUpdate's maxSurge and maxUnavailable,
// Swarm's update_config, or blue-green's. A key that belongs to another strategy is refused where it is written.

/** The files a rollout may be read from: a Deployment, a compose service. */
export interface RolloutFiles {
  deployment?: DeploymentRollout;
  compose?: ComposeUpdate;
}

type ParsedRollout = NonNullable<ParsedScenario['rollout']>;

/** What each strategy leaves to the others. */
const FOREIGN: Record<Strategy, { keys: (keyof ParsedRollout)[]; write: string }> = {
  rolling: { keys: ['compose', 'parallelism', 'delay', 'order', 'monitor'], write: "compose's update_config: write `strategy: compose`" },
  compose: { keys: ['kubernetes', 'max_surge', 'max_unavailable', 'min_ready'], write: "a Deployment's RollingUpdate: write `strategy: rolling`" },
  'blue-green': {
    keys: ['kubernetes', 'compose', 'max_surge', 'max_unavailable', 'parallelism', 'delay', 'order', 'monitor', 'health_check'],
    write: 'another strategy: blue-green starts every new replica, then switches the balancer at once (its lag is `endpoint_lag`)',
  },
};

/** The written strategy; else compose's where a compose file is named for the rollout, else Kubernetes' RollingUpdate. */
export const strategyOf = (rollout: ParsedRollout): Strategy => rollout.strategy ?? (rollout.compose !== undefined ? 'compose' : 'rolling');

/** The bounds of the strategy's rollout of `n` replicas: written keys first, then the file's, then the defaults. */
export function boundsOf(
  rollout: ParsedRollout,
  strategy: Strategy,
  n: number,
  files: RolloutFiles,
  problems: ScenarioProblems,
): { maxSurge: number; maxUnavailable: number; update?: SwarmUpdate } {
  for (const key of FOREIGN[strategy].keys) {
    if (rollout[key] !== undefined) problems.at(['rollout', key], `not a key of strategy ${strategy}: it belongs to ${FOREIGN[strategy].write}`, true);
  }
  if (strategy === 'blue-green') return { maxSurge: n, maxUnavailable: 0 };
  if (strategy === 'compose') {
    const file = files.compose;
    // docker stack deploy's defaults: one at a time, no delay, stop-first; the compose specification's monitor, 0s.
    const update: SwarmUpdate = {
      parallelism: rollout.parallelism ?? file?.parallelism ?? 1,
      delayMs: rollout.delay ?? file?.delay ?? 0,
      order: rollout.order ?? file?.order ?? 'stop-first',
      monitorMs: rollout.monitor ?? file?.monitor ?? 0,
    };
    return { ...swarmBounds(update, n), update };
  }
  const file = files.deployment;
  const maxSurge = replicasOf(rollout.max_surge ?? file?.max_surge ?? '25%', n, 'up');
  const maxUnavailable = replicasOf(rollout.max_unavailable ?? file?.max_unavailable ?? '25%', n, 'down');
  if (maxSurge === 0 && maxUnavailable === 0) {
    problems.at(['rollout', 'max_unavailable'], `max_surge and max_unavailable both come to 0 replicas of ${n}: the rollout could never progress (Kubernetes refuses it too)`);
  }
  return { maxSurge, maxUnavailable };
}
