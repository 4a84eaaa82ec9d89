import { z } from 'zod';
import { ScheduleSchema } from '../../schedule/event.js';
import { defaultsWhenAbsent } from '../../input/defaults.js';
import { stopModels, stopSchema } from '../../stop-models/registry.js';
import type { StopModelDef } from '../../stop-models/model.js';
import { expectation } from './expectation.js';
import { faultSpace } from './fault-space.js';
import { oracleSettings } from './oracle-settings.js';
import { replicas, rollout } from './rollout.js';
import { dependency, target } from './target.js';
import { workload } from './workload.js';

// The scenario file format: what a person writes. Values are normalised as they are parsed (durations → ms,
// signals → "SIGTERM", commands → argv arrays); normalize.ts turns the result into a Scenario. `stop:` takes the
// keys of the stop models registered (stop-models/registry.ts), so the format is built for them.

const build = () =>
  z
    .strictObject({
      name: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"')
        .optional()
        .meta({ description: 'The scenario in reports and their paths, reports/<name>/ (default: the file name without its extension)' }),
      description: z.string().optional().meta({ description: 'Free text for the people who read the file' }),
      target,
      dependencies: z
        .record(z.string().meta({ title: 'service' }), dependency)
        .default({})
        .meta({
          description:
            'Services the target needs, by name (keys as under `target`); with `target.compose`, its `depends_on` services are taken from the compose file and keys given here override theirs',
        }),
      expect: z
        .record(z.string().meta({ title: 'signal' }), expectation)
        .default({})
        .meta({ description: 'Per signal (keys are signal names): what must hold after it is delivered to the target' }),
      stop: stopSchema().optional().meta({
        description: `How the target's orchestrator stops it: ${modelNames()}, its settings written here or read from the \`file\` the team keeps them in`,
      }),
      workload: defaultsWhenAbsent(workload),
      oracles: defaultsWhenAbsent(oracleSettings),
      faults: defaultsWhenAbsent(faultSpace),
      schedule: ScheduleSchema.optional().meta({
        description: 'Events `sigstorm run` plays when none are given (default: stop it at once, like docker stop)',
      }),
      replicas,
      rollout: rollout.optional(),
    })
    .meta({ title: 'sigstorm scenario', description: 'One target service (with the services it depends on) and what must hold when it is signalled' });

/** "`model: docker` (the default), `kubernetes`, `systemd` or `supervisord`" */
function modelNames(): string {
  const [first, ...others] = stopModels().map((m) => `\`${m.name}\``);
  const rest = others.length > 1 ? `${others.slice(0, -1).join(', ')} or ${others.at(-1)}` : others.join('');
  return `\`model: ${first!.slice(1, -1)}\` (the default)${rest ? `, ${rest}` : ''}`;
}

let built: { models: readonly StopModelDef[]; schema: ReturnType<typeof build> } | undefined;

/** The scenario file format for the stop models registered now (built again once another is registered). */
export function scenarioSchema(): ReturnType<typeof build> {
  const models = stopModels();
  if (built?.models !== models) built = { models, schema: build() };
  return built.schema;
}

export type RawScenario = z.input<ReturnType<typeof build>>;
export type ParsedScenario = z.output<ReturnType<typeof build>>;
