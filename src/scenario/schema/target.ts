import { z } from 'zod';
import { argv } from '../../input/fields/argv.js';
import { duration } from '../../input/fields/duration.js';
import { envName, environment } from '../../input/fields/environment.js';
import { osText } from '../../input/fields/os-text.js';
import { port } from '../../input/fields/port.js';
import { signal } from '../../input/fields/signal.js';
import { expectation } from './expectation.js';

// `target:` of a scenario file. Keys mirror docker-compose service keys where they overlap.

const build = z
  .union([
    z
      .string()
      .transform((context) => ({ context, dockerfile: 'Dockerfile' }))
      .meta({ description: 'The context directory, built with its Dockerfile' }),
    z
      .strictObject({
        context: z.string().meta({ description: 'The build context directory, relative to the scenario (or to the compose file it came from)' }),
        dockerfile: z.string().default('Dockerfile').meta({ description: 'The Dockerfile, relative to the context' }),
      })
      .meta({ description: 'A context directory and the Dockerfile to build it with' }),
  ])
  .meta({
    description:
      'Build the image from a directory, as compose does; the build is tagged by a hash of its files and built again only when they change',
  });

const processForm = z
  .strictObject({
    command: argv.meta({
      description:
        'Program and arguments, run without a shell in its own process group; {data_dir} names the trial data directory, {port} the free loopback port sigstorm hands it (both also in env values)',
    }),
    cwd: osText.optional().meta({ description: 'Working directory, relative to the scenario file' }),
    env: environment.optional().meta({
      description:
        "Environment variables added to the ones sigstorm runs with ({data_dir} and {port} filled in); DATA_DIR and the `port_env` variable are set too",
    }),
    port_env: envName
      .default('PORT')
      .meta({ description: 'Environment variable through which sigstorm hands the target a free loopback port' }),
  })
  .meta({ description: 'How to run the target as a local process (the process backend)' });

/** How long a target may take to become ready; also the whole of `ready` when the file leaves it out. */
export const readyTimeout = duration().default(30_000);

const tcpExpected = 'expected `true` (the port the workload talks to) or a container port, 1–65535';

const ready = z
  .strictObject({
    http: z.string().startsWith('/').optional().meta({ description: 'Path that answers 2xx once the target is ready' }),
    port: z.number().int().min(1).max(65535).optional().meta({ description: 'Container port of the HTTP probe, and of `tcp: true` (default: the first of `ports`)' }),
    log: z.string().min(1).optional().meta({ description: 'A line of output containing this text means ready' }),
    tcp: z
      .union([
        z.literal(true, { error: tcpExpected }),
        z.number({ error: tcpExpected }).int({ error: tcpExpected }).min(1, { error: tcpExpected }).max(65535, { error: tcpExpected }),
      ])
      .optional()
      .meta({
        description:
          "Ready once a TCP connection to the port is accepted (Kubernetes' tcpSocket probe), for a service that speaks no HTTP: `true` for the port the workload talks to, or a container port. It connects where the service itself listens (the container's address; the port a process is handed), never to a proxy in front of it",
      }),
    timeout: readyTimeout.meta({ description: 'How long the target may take to become ready; a target not ready by then is an infrastructure failure (exit 3)' }),
  })
  .refine((r) => r.http !== undefined || r.log !== undefined || r.tcp !== undefined, { message: 'expected `http`, `log` or `tcp` (or several)' })
  .meta({
    description:
      'How sigstorm knows the target is ready, the instant event times count from: an HTTP path answering 2xx, a line of output, a TCP port accepting connections, or several (left out: as soon as it runs)',
  });

/** compose's `healthcheck`: run by the Docker engine inside the container; `condition: service_healthy` waits for it. */
const healthcheck = z
  .strictObject({
    test: z
      .union([z.string().min(1), z.array(z.string()).min(1)])
      .optional()
      .meta({ description: 'The check: a shell command line (CMD-SHELL), or a list such as ["CMD", "curl", "-f", "http://localhost/"]' }),
    interval: duration().optional().meta({ description: 'Time between checks' }),
    timeout: duration().optional().meta({ description: 'A check taking longer fails' }),
    retries: z.number().int().min(0).optional().meta({ description: 'Failed checks in a row before the container is unhealthy' }),
    start_period: duration().optional().meta({ description: 'Failures during this start-up time do not count' }),
    start_interval: duration().optional().meta({ description: 'Time between checks during the start period' }),
    disable: z.boolean().optional().meta({ description: "Turn off the image's own HEALTHCHECK" }),
  })
  .meta({ description: 'A health check as in compose, run by the Docker engine inside the container; `condition: service_healthy` waits for it' });

/** compose's `depends_on`: a list of services, or per service the condition to wait for. */
const dependsOn = z
  .union([
    z.array(z.string()),
    z.record(
      z.string().meta({ title: 'service' }),
      z.looseObject({
        condition: z
          .enum(['service_started', 'service_healthy'])
          .default('service_started')
          .meta({ description: 'Start this one once that service runs, or once its healthcheck passes' }),
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
    image: z.string().optional().meta({ description: 'The image to run (pulled when it is not there), as in compose' }),
    build: build.optional(),
    command: argv.optional().meta({ description: "Replaces the image's CMD, as in compose" }),
    entrypoint: argv.optional().meta({ description: "Replaces the image's ENTRYPOINT, as in compose" }),
    environment: environment.optional().meta({ description: 'Environment variables of the container, as in compose' }),
    ports: z
      .array(port)
      .optional()
      .meta({
        description:
          'Container ports, each published on a free loopback port so parallel trials never collide; the workload talks to the first, dependencies are reached by service name',
      }),
    init: z.boolean().optional().meta({ description: 'Run an init as PID 1 (docker run --init) that forwards signals to the service and reaps zombies' }),
    stop_signal: signal.default('SIGTERM').meta({
      description:
        "The signal that stops the service (compose's stop_signal), sent by the default stop model and drawn by the fuzzer",
    }),
    stop_grace_period: duration()
      .default(10_000)
      .meta({ description: "How long a stop waits after stop_signal before SIGKILL (compose's stop_grace_period); also the deadline `expect` gives an exit" }),
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
  })
  .meta({
    description:
      'The service under test: a container (`image` or `build`, written here or taken from a `compose` file) or a local `process`; given both, `--backend` picks (`auto`: the container when a Docker engine answers)',
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
      .record(z.string().meta({ title: 'signal' }), expectation)
      .default({})
      .meta({ description: 'Per signal sent to this dependency: what must hold (default: nothing; unsignalled, it must stay up)' }),
  })
  .refine(hasAForm, formMessage)
  .meta({ description: 'A service the target needs, with the keys of `target` (but `compose` and `service`)' });
