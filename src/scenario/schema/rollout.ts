import { z } from 'zod';
import { duration } from '../../input/fields/duration.js';
import { osText } from '../../input/fields/os-text.js';
import { target } from './target.js';

// `replicas:` and `rollout:` of a scenario file: a rolling update of the target's replicas behind sigstorm's load
// balancer (docs/rollouts.md). The plan's rule lives in src/rollout/plan.ts.

/** `replicas:` — how many copies of the target run behind the load balancer. */
export const replicas = z
  .number()
  .int()
  .min(2)
  .max(5)
  .optional()
  .meta({ description: 'Replicas of the target behind sigstorm\'s load balancer (2–5); with `rollout`, the Deployment\'s spec.replicas' });

/** A count of replicas, or a percentage of `replicas` ("25%"), as a RollingUpdate's maxSurge and maxUnavailable take. */
const count = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d{1,3}%$/, 'expected a number of replicas or a percentage such as 25%'),
]);

/** A lag, or the range the fuzzer draws it from: `1s`, or `[200ms, 1s]`. */
const lag = z
  .union([duration().transform((ms) => ({ minMs: ms, maxMs: ms })), z.tuple([duration(), duration()]).transform(([minMs, maxMs]) => ({ minMs, maxMs }))])
  .refine((r) => r.minMs <= r.maxMs, { message: 'expected the shorter lag first: [min, max]' })
  .meta({ description: 'A duration, or [min, max]: `run` plays the max, `fuzz` draws within the range' });

export const rollout = z
  .strictObject({
    strategy: z
      .enum(['rolling', 'compose', 'blue-green'])
      .optional()
      .meta({
        description:
          "rolling: Kubernetes' RollingUpdate (the default); compose: Swarm's update_config (the default with `compose`); blue-green: every new replica ready, then the balancer switched at once",
      }),
    kubernetes: osText
      .optional()
      .meta({
        description:
          'A Deployment manifest (relative to the scenario) to read spec.replicas, strategy.rollingUpdate, minReadySeconds and the readinessProbe from; keys written here win',
      }),
    compose: osText
      .optional()
      .meta({
        description:
          "A compose file (relative to the scenario) to read the service's deploy.replicas and deploy.update_config from (the target's service, else its only one); keys written here win",
      }),
    parallelism: z.number().int().min(0).optional().meta({ description: 'update_config.parallelism: replicas updated at once, 0 for all (compose; default 1)' }),
    delay: duration().optional().meta({ description: 'update_config.delay: the wait after each replica updated, before the next (compose; default 0s)' }),
    order: z
      .enum(['stop-first', 'start-first'])
      .optional()
      .meta({ description: 'update_config.order: stop-first (the old replica gone before the new one starts, the default) or start-first (compose)' }),
    monitor: duration()
      .optional()
      .meta({ description: 'update_config.monitor: how long after the last new replica runs the update still counts as going on (compose; default 0s)' }),
    max_surge: count.optional().meta({ description: 'maxSurge: new replicas started beyond `replicas` (a count, or a percentage rounded up; default 25%)' }),
    max_unavailable: count
      .optional()
      .meta({ description: 'maxUnavailable: replicas that may be unavailable during the rollout (a count, or a percentage rounded down; default 25%)' }),
    min_ready: duration().optional().meta({ description: 'minReadySeconds: a new replica counts as available this long after it is ready (default 0)' }),
    readiness: z
      .strictObject({
        period: duration().optional().meta({ description: 'periodSeconds: time between probes of `target.ready` (default 10s, as Kubernetes)' }),
        failure_threshold: z.number().int().min(1).optional().meta({ description: 'failureThreshold: failed probes in a row before a replica leaves rotation (default 3)' }),
      })
      .optional()
      .meta({ description: 'readinessProbe: the load balancer takes a replica in at its first passing probe, out after failure_threshold failures' }),
    endpoint_lag: lag
      .optional()
      .meta({ description: 'How long an old replica stays in rotation after its stop begins (endpoint removal); default: the stop model\'s endpoint_delay, else 0' }),
    health_check: z
      .strictObject({
        interval: duration().meta({ description: "inter: time between two checks of a replica (HAProxy's `check inter`)" }),
        fall: z.number().int().min(1).default(3).meta({ description: 'Failed checks in a row before HAProxy takes a replica out of rotation (default 3, as HAProxy)' }),
        rise: z.number().int().min(1).default(2).meta({ description: 'Passed checks in a row before it takes a replica back in (default 2, as HAProxy)' }),
      })
      .optional()
      .meta({
        description:
          "HAProxy's own health checks of each replica (an HTTP GET of `target.ready.http`, else a connect): a stopping replica leaves rotation when they fail, not after `endpoint_lag`; with `balancer: haproxy` only",
      }),
    balancer: z
      .enum(['embedded', 'haproxy', 'nginx'])
      .default('embedded')
      .meta({
        description:
          "embedded: sigstorm's own load balancer; haproxy: Debian's HAProxy in TCP mode, its servers changed through its runtime API; nginx: Debian's nginx as an HTTP reverse proxy, its upstreams changed by rewriting its configuration and reloading it",
      }),
    at: duration().default(500).meta({ description: 'When the rollout begins, after the workload started (default 500ms)' }),
    to: target.optional().meta({ description: 'The new version\'s target (keys as under `target`); default: the same target again' }),
  })
  .meta({ description: 'A rollout of the `replicas` behind a load balancer (rolling, compose\'s update_config, or blue-green), each old replica stopped by the `stop:` model' });
