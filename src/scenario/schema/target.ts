import { z } from 'zod';
import { argv } from '../../input/fields/argv.js';
import { duration } from '../../input/fields/duration.js';
import { envName, environment } from '../../input/fields/environment.js';
import { osText } from '../../input/fields/os-text.js';
import { port } from '../../input/fields/port.js';
import { signal } from '../../input/fields/signal.js';
import { expectation } from './expectation.js';

// `target:` of a scenario file. Keys mirror docker-compose service keys where they overlap.

const build = z.union([
  z.string().transform((context) => ({ context, dockerfile: 'Dockerfile' })),
  z.strictObject({ context: z.string(), dockerfile: z.string().default('Dockerfile') }),
]);

const processForm = z
  .strictObject({
    command: argv.meta({
      description:
        'Program and arguments, run without a shell in its own process group; {data_dir} names the trial data directory, {port} the free loopback port sigstorm hands it (both also in env values)',
    }),
    cwd: osText.optional().meta({ description: 'Working directory, relative to the scenario file' }),
    env: environment.optional(),
    port_env: envName
      .default('PORT')
      .meta({ description: 'Environment variable through which sigstorm hands the target a free loopback port' }),
  })
  .meta({ description: 'How to run the target as a local process (the process backend)' });

/** How long a target may take to become ready; also the whole of `ready` when the file leaves it out. */
export const readyTimeout = duration().default(30_000);

const ready = z
  .strictObject({
    http: z.string().startsWith('/').optional().meta({ description: 'Path that answers 2xx once the target is ready' }),
    port: z.number().int().min(1).max(65535).optional().meta({ description: 'Container port of the HTTP probe' }),
    log: z.string().min(1).optional().meta({ description: 'A line of output containing this text means ready' }),
    timeout: readyTimeout,
  })
  .refine((r) => r.http !== undefined || r.log !== undefined, { message: 'expected `http` or `log` (or both)' });

/** compose's `healthcheck`: run by the Docker engine inside the container; `condition: service_healthy` waits for it. */
const healthcheck = z
  .strictObject({
    test: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
    interval: duration().optional(),
    timeout: duration().optional(),
    retries: z.number().int().min(0).optional(),
    start_period: duration().optional(),
    start_interval: duration().optional(),
    disable: z.boolean().optional(),
  })
  .meta({ description: 'As in compose: run by the Docker engine inside the container' });

/** compose's `depends_on`: a list of services, or per service the condition to wait for. */
const dependsOn = z
  .union([
    z.array(z.string()),
    z.record(
      z.string(),
      z.looseObject({
        condition: z.enum(['service_started', 'service_healthy']).default('service_started'),
      }),
    ),
  ])
  .transform((value) =>
    Array.isArray(value)
      ? value.map((service) => ({ service, condition: 'implicit' as const }))
      : Object.entries(value).map(([service, v]) => ({ service, condition: v.condition })),
  )
  .meta({ description: 'Services this one needs, started first (as in compose; `condition: service_healthy` waits for the healthcheck)' });

/** Target keys shared with a docker-compose service. */
export const composeKeys = [
  'healthcheck',
  'depends_on',
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'ports',
  'init',
  'stop_signal',
  'stop_grace_period',
] as const;

/** The keys a service of the stack is written with, the target's and each dependency's. */
const serviceKeys = {
    image: z.string().optional(),
    build: build.optional(),
    command: argv.optional(),
    entrypoint: argv.optional(),
    environment: environment.optional(),
    ports: z.array(port).optional(),
    init: z.boolean().optional(),
    stop_signal: signal.default('SIGTERM'),
    stop_grace_period: duration().default(10_000),
    data_dir: osText.startsWith('/').optional().meta({
      description:
        'Container path where sigstorm mounts a fresh host directory per trial; DATA_DIR names it (process form: the host path)',
    }),
    prepare: argv
      .optional()
      .meta({ description: 'A host command run once before building the image or starting the process (e.g. compiling)' }),
    process: processForm.optional(),
    ready: ready.optional(),
    healthcheck: healthcheck.optional(),
    depends_on: dependsOn.optional(),
};

const hasAForm = (t: { image?: unknown; build?: unknown; process?: unknown }) => t.image !== undefined || t.build !== undefined || t.process !== undefined;
const formMessage = { message: 'expected a container form (`image` or `build`) or a `process` form' };

export const target = z
  .strictObject({
    compose: osText.optional().meta({ description: 'A docker-compose file holding this target, relative to the scenario' }),
    service: z.string().optional().meta({ description: 'The service of `compose` to use; keys given here override it' }),
    ...serviceKeys,
  })
  .refine(hasAForm, formMessage)
  .refine((t) => (t.compose === undefined) === (t.service === undefined), {
    message: '`compose` and `service` go together',
  });

/** One entry of `dependencies:`: the target's keys, and how the services that need it learn its address. */
export const dependency = z
  .strictObject({
    ...serviceKeys,
    address_env: envName.optional().meta({
      description:
        'Environment variable through which every service that depends on this one gets its address (host:port): its service name in a container stack, a loopback port for processes',
    }),
    expect: z
      .record(z.string(), expectation)
      .default({})
      .meta({ description: 'Per signal sent to this dependency: what must hold (default: nothing; unsignalled, it must stay up)' }),
  })
  .refine(hasAForm, formMessage);
