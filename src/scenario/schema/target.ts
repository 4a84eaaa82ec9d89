import { z } from 'zod';
import { argv } from '../../input/fields/argv.js';
import { duration } from '../../input/fields/duration.js';
import { envName, environment } from '../../input/fields/environment.js';
import { osText } from '../../input/fields/os-text.js';
import { port } from '../../input/fields/port.js';
import { signal } from '../../input/fields/signal.js';

// `target:` of a scenario file. Keys mirror docker-compose service keys where they overlap.

const build = z.union([
  z.string().transform((context) => ({ context, dockerfile: 'Dockerfile' })),
  z.strictObject({ context: z.string(), dockerfile: z.string().default('Dockerfile') }),
]);

const processForm = z
  .strictObject({
    command: argv.meta({ description: 'Program and arguments, run without a shell in its own process group; {data_dir} names the trial data directory (also in env values)' }),
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

/** Target keys shared with a docker-compose service. */
export const composeKeys = [
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

export const target = z
  .strictObject({
    compose: osText.optional().meta({ description: 'A docker-compose file holding this target, relative to the scenario' }),
    service: z.string().optional().meta({ description: 'The service of `compose` to use; keys given here override it' }),
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
  })
  .refine((t) => t.image !== undefined || t.build !== undefined || t.process !== undefined, {
    message: 'expected a container form (`image` or `build`) or a `process` form',
  })
  .refine((t) => (t.compose === undefined) === (t.service === undefined), {
    message: '`compose` and `service` go together',
  });
