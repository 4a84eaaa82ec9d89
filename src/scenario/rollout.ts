import type { MsRange } from '../rollout/plan.js';
import type { StopSettings } from '../stop-models/model.js';
import { stopModelOf } from '../stop-models/registry.js';
import type { ScenarioProblems } from './problems.js';
import { boundsOf, strategyOf, type RolloutFiles } from './rollout-strategy.js';
import type { ParsedScenario } from './schema/scenario.js';
import type { FaultSpace, Rollout, Target } from './types.js';

/**
 * `replicas:` and `rollout:` as the trial plays them, checked against the rest of the scenario: what this first slice
 * of rollouts does not play yet (a schedule beside it, dependencies, replicas without a rollout) is refused where it
 * is written, rather than ignored. `to` is the new version's target, normalised by the caller.
 */
export function rolloutOf(
  parsed: ParsedScenario,
  stop: StopSettings,
  problems: ScenarioProblems,
  to: Target | undefined,
  files: RolloutFiles = {},
): Rollout | undefined {
  const { rollout } = parsed;
  const file = files.deployment ?? files.compose;
  const replicas = parsed.replicas ?? file?.replicas;
  if (!rollout) {
    if (replicas !== undefined) problems.at(['replicas'], 'replicas are played by a rollout: add `rollout:` (replicas behind a balancer without one come later)');
    return undefined;
  }
  if (replicas === undefined) problems.at(['rollout'], 'a rollout replaces `replicas`: add `replicas: 2` (2–5) beside it');
  else if (parsed.replicas === undefined && (replicas < 2 || replicas > 5)) {
    const [key, field] = files.deployment ? ['kubernetes', 'spec.replicas'] : ['compose', 'deploy.replicas'];
    problems.at(['rollout', key], `${file!.source} has ${field} ${replicas}; sigstorm plays 2–5: write \`replicas:\` in the scenario`);
  }
  if (parsed.schedule !== undefined && parsed.schedule.length > 0) {
    problems.at(['schedule'], 'a rollout scenario plays the rollout itself: faults during a rollout are not played yet (leave `schedule` out)');
  }
  if (Object.keys(parsed.dependencies).length > 0) problems.at(['dependencies'], 'a rollout of a target with dependencies is not played yet');
  const n = replicas ?? 2;
  const strategy = strategyOf(rollout);
  const bounds = boundsOf(rollout, strategy, n, files, problems);
  const check = rollout.health_check;
  if (check && rollout.balancer !== 'haproxy') problems.at(['rollout', 'health_check'], "health checks are HAProxy's own: add `balancer: haproxy` beside them");
  if (check && rollout.endpoint_lag !== undefined) {
    problems.at(['rollout', 'endpoint_lag'], "with `health_check`, the balancer's own checks take a stopping replica out of rotation: leave `endpoint_lag` out");
  }
  return {
    strategy,
    replicas: n,
    ...bounds,
    minReadyMs: rollout.min_ready ?? files.deployment?.min_ready ?? 0,
    readiness: {
      periodMs: rollout.readiness?.period ?? files.deployment?.readiness?.period ?? 10_000,
      failureThreshold: rollout.readiness?.failure_threshold ?? files.deployment?.readiness?.failure_threshold ?? 3,
    },
    endpointLag: check ? { minMs: 0, maxMs: 0 } : (rollout.endpoint_lag ?? modelLag(stop)),
    atMs: rollout.at,
    balancer: rollout.balancer,
    ...(check ? { healthCheck: { intervalMs: check.interval, fall: check.fall, rise: check.rise } } : {}),
    ...(file ? { source: file.source } : {}),
    ...(to ? { to } : {}),
  };
}

/** The stop model's own endpoint-removal lag (Kubernetes' endpoint_delay), or none. */
function modelLag(stop: StopSettings): MsRange {
  const lagMs = stopModelOf(stop).fuzz(stop).endpointLagMs ?? 0;
  return { minMs: lagMs, maxMs: lagMs };
}

/**
 * What `fuzz` draws for a rollout in this slice: its timing alone, a `stop` event per old replica at most (when its
 * stop may begin, its endpoint lag within the plan's range: fuzz/arbitrary.ts); no signal, pause or partition of a
 * replica yet.
 */
export const rolloutFaults = (faults: FaultSpace, replicas: number): FaultSpace => ({
  ...faults,
  signals: [],
  services: [],
  races: false,
  storms: false,
  startup: false,
  pauses: false,
  partitions: false,
  maxEvents: replicas,
});
