import type { MsRange } from '../rollout/plan.js';
import { rolloutSchedule } from '../rollout/schedule.js';
import type { StopSettings } from '../stop-models/model.js';
import { stopModelOf } from '../stop-models/registry.js';
import type { ScenarioProblems } from './problems.js';
import { boundsOf, strategyOf, type RolloutFiles } from './rollout-strategy.js';
import type { ParsedScenario } from './schema/scenario.js';
import type { FaultSpace, Rollout, Target } from './types.js';

/** The balancer reaches each replica at its first port: a container form without `ports` could not be routed to. */
export function portlessContainers(target: Target, to: Target | undefined, problems: ScenarioProblems): void {
  const hint = 'a rollout\'s load balancer reaches each container replica at its first port: add `ports: ["8080"]` (the port it listens on)';
  if (target.container && target.container.ports.length === 0) problems.at(['target', 'ports'], hint);
  if (to?.container && to.container.ports.length === 0) problems.at(['rollout', 'to', 'ports'], hint);
}

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
  if (Object.keys(parsed.dependencies).length > 0) problems.at(['dependencies'], 'a rollout of a target with dependencies is not played yet');
  const n = replicas ?? 2;
  const strategy = strategyOf(rollout);
  const bounds = boundsOf(rollout, strategy, n, files, problems);
  const check = rollout.health_check;
  if (check && rollout.balancer !== 'haproxy') problems.at(['rollout', 'health_check'], "health checks are HAProxy's own: add `balancer: haproxy` beside them");
  if (check && rollout.endpoint_lag !== undefined) {
    problems.at(['rollout', 'endpoint_lag'], "with `health_check`, the balancer's own checks take a stopping replica out of rotation: leave `endpoint_lag` out");
  }
  const plan: Rollout = {
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
  // The schedule's events aimed at replicas, its flaps and its size, checked where they are written.
  for (const p of rolloutSchedule(plan, parsed.schedule ?? []).problems) problems.at(['schedule', p.index, ...(p.key ? [p.key] : [])], p.message);
  return plan;
}

/** The stop model's own endpoint-removal lag (Kubernetes' endpoint_delay), or none. */
function modelLag(stop: StopSettings): MsRange {
  const lagMs = stopModelOf(stop).fuzz(stop).endpointLagMs ?? 0;
  return { minMs: lagMs, maxMs: lagMs };
}

/**
 * What `fuzz` draws for a rollout beside its timing (a `stop` event per old replica at most: fuzz/rollout-arbitrary.ts):
 * the faults of a written `faults:` aimed at its replicas, and readiness flaps with `faults.flaps`. Without `faults:`,
 * the rollout's timing alone, as before faults were played in a rollout (the campaigns of its zoo pairs unchanged).
 * No dependency (a rollout has none) and no start-up window (the replicas start before the trial's clock).
 */
export const rolloutFaults = (faults: FaultSpace, written: boolean): FaultSpace => ({
  ...faults,
  ...(written ? {} : { signals: [], races: false, storms: false, pauses: false, partitions: false, flaps: false }),
  services: [],
  startup: false,
});
