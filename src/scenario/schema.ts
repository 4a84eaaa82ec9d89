import { parse as parseShellWords } from 'shell-quote';
import { z } from 'zod';
import { normalizeSignal, statusForSignal, type SignalName } from '../signals.js';
import { ScheduleSchema, type Schedule } from '../faults/event.js';
import { parseDuration } from '../time.js';
import type { CoverageNote } from './coverage.js';

// The scenario file format. Target keys mirror docker-compose service keys where they overlap;
// values are normalised here (durations → ms, signals → "SIGTERM", commands → argv arrays).

const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a duration such as 500ms, 10s or 1m30s (or a number of milliseconds), at most 24 days',
      });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ description: 'A duration: 500ms, 10s, 1m30s, or a number of milliseconds' });

const signal = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const name = normalizeSignal(value);
    if (!name) {
      ctx.addIssue({ code: 'custom', message: `expected a signal name such as SIGTERM, TERM or 15, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return name;
  });

/** A string handed to the operating system (argument, path, environment): C strings end at a NUL byte. */
const osText = z.string().refine((s) => !s.includes('\0'), { message: 'expected text without NUL bytes' });

/** An argument vector. A string is split like docker-compose does (quotes honoured), never run through a shell. */
const argv = z
  .union([z.array(osText).min(1), osText.min(1)])
  .transform((value, ctx) => {
    if (Array.isArray(value)) return value;
    // shell-quote would expand $VAR from sigstorm's own environment (to "" when unset): no shell here, so refuse it.
    const variables: string[] = [];
    const words = parseShellWords(value, (name) => (variables.push(name), `$${name}`));
    if (variables.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected plain words: $${variables[0]} would not be expanded (there is no shell); write its value, or use an argument array`,
      });
      return z.NEVER;
    }
    if (!words.every((w): w is string => typeof w === 'string')) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected plain words: shell operators, globs and comments are not interpreted; use an argument array',
      });
      return z.NEVER;
    }
    return words;
  });

/** `KEY: value` map or compose's `["KEY=value"]` list. */
const envName = z.string().regex(/^[^=\0]+$/, 'expected a variable name: not empty, without "=" or NUL bytes');
const environment = z
  .union([z.record(envName, z.union([osText, z.number(), z.boolean()])), z.array(osText)])
  .transform((value, ctx) => {
    const entries = !Array.isArray(value)
      ? Object.entries(value).map(([k, v]) => [k, String(v)] as const)
      : value.map((item) => {
          const at = item.indexOf('=');
          return at < 0 ? ([item, ''] as const) : ([item.slice(0, at), item.slice(at + 1)] as const);
        });
    for (const [i, [name]] of entries.entries()) {
      if (!envName.safeParse(name).success) {
        ctx.addIssue({ code: 'custom', path: [i], message: 'expected "NAME=value" with a non-empty NAME' });
        return z.NEVER;
      }
    }
    return Object.fromEntries(entries);
  });

/** Compose accepts "8080", "127.0.0.1:8080:8080/tcp" or 8080; sigstorm needs the container port only and always
 *  publishes it on a free loopback port, so parallel trials never collide. */
const port = z.union([z.number().int().min(1).max(65535), z.string()]).transform((value, ctx) => {
  const match = /^(?:.*:)?(\d+)(?:\/tcp)?$/.exec(String(value));
  const num = match ? Number(match[1]) : NaN;
  if (!(num >= 1 && num <= 65535)) {
    ctx.addIssue({ code: 'custom', message: 'expected a TCP port such as 8080 or "8080:8080"' });
    return z.NEVER;
  }
  return num;
});

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

const ready = z
  .strictObject({
    http: z.string().startsWith('/').optional().meta({ description: 'Path that answers 2xx once the target is ready' }),
    port: z.number().int().min(1).max(65535).optional().meta({ description: 'Container port of the HTTP probe' }),
    log: z.string().min(1).optional().meta({ description: 'A line of output containing this text means ready' }),
    timeout: duration.default(30_000),
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

const target = z
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
    stop_grace_period: duration.default(10_000),
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

const exitStatus = z.union([z.number().int().min(0).max(255), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const sig = normalizeSignal(value);
  if (!sig) {
    ctx.addIssue({ code: 'custom', message: 'expected an exit status 0–255 or a signal name (meaning 128 + its number)' });
    return z.NEVER;
  }
  return statusForSignal(sig);
});

const expectation = z
  .strictObject({
    exit: z
      .array(exitStatus)
      .min(1)
      .optional()
      .meta({ description: 'Exit statuses allowed after this signal; a signal name stands for 128 + n' }),
    within: duration.optional().meta({ description: 'Deadline from delivery to exit (default: stop_grace_period)' }),
    alive: z.literal(true).optional().meta({ description: 'The target must survive this signal and still be ready' }),
    settle: duration.default(1000).meta({ description: 'How long after the signal aliveness is checked' }),
  })
  .refine((e) => (e.exit === undefined) !== (e.alive === undefined), {
    message: 'expected exactly one of `exit` (the signal stops the target) or `alive: true` (it must survive)',
  });

const requestStream = z.strictObject({
  path: z.string().startsWith('/'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']).default('GET'),
  rate: z.number().positive().max(2000).default(20).meta({ description: 'Requests started per second' }),
  concurrency: z.number().int().min(1).max(256).default(4).meta({ description: 'At most this many in flight' }),
  connection: z
    .enum(['keep-alive', 'fresh', 'mixed'])
    .default('mixed')
    .meta({ description: 'Reuse connections, open one per request, or alternate' }),
  timeout: duration.default(10_000),
});

const workload = z
  .strictObject({
    requests: z.array(requestStream).default([]).meta({ description: 'HTTP request streams sent during the whole trial' }),
    streams: z
      .array(z.strictObject({ path: z.string().startsWith('/'), count: z.number().int().min(1).max(64).default(1) }))
      .default([])
      .meta({ description: 'Long-lived responses (SSE, chunked) opened once the target is ready' }),
    writes: z
      .strictObject({
        path: z.string().startsWith('/').meta({ description: 'POST <path>?id=N; a 2xx answer acknowledges write N' }),
        rate: z.number().positive().max(2000).default(20),
        concurrency: z.number().int().min(1).max(256).default(4),
        readback: z.string().min(1).meta({ description: 'File in the data directory holding one acknowledged id per line' }),
      })
      .optional(),
  })
  .meta({ description: 'Client traffic during a trial; every request goes on the ledger' });

const oracleSettings = z
  .strictObject({
    lost_requests: z
      .strictObject({
        no_refusals_for: duration
          .default(0)
          .meta({ description: 'After the first terminating signal, connections must still be accepted this long' }),
      })
      .default({ no_refusals_for: 0 }),
    handles: z
      .strictObject({
        fd_slack: z.number().int().min(0).default(8).meta({ description: 'fd growth tolerated across survived signals, per kind (sockets net of the workload connections)' }),
        allow_zombies: z.boolean().default(false),
        removed_on_exit: z
          .array(z.string())
          .default([])
          .meta({ description: 'Files (in the data directory) the target must have removed when it is gone; `*` matches within a path segment' }),
        kept_on_exit: z
          .array(z.string())
          .default([])
          .meta({ description: 'Files (in the data directory) the target must have left when it is gone (a checkpoint, a report); `*` matches within a path segment' }),
      })
      .default({ fd_slack: 8, allow_zombies: false, removed_on_exit: [], kept_on_exit: [] }),
    second_signal: z
      .strictObject({
        policy: z.enum(['ignore', 'force-exit']).meta({
          description: 'A second terminating signal during shutdown: ignored (drain continues) or forces a quick exit',
        }),
        within: duration.default(1000).meta({
          description: 'force-exit: gone this long after the second signal; ignore: an end this soon after it counts as caused by it',
        }),
      })
      .optional(),
  })
  .meta({ description: 'Settings of the oracles that judge each trial' });

const faultSpace = z
  .strictObject({
    signals: z
      .array(signal)
      .min(1)
      .optional()
      .meta({
        description:
          'Signals the fuzzer may send (default: the stop signal, every signal in `expect`, and SIGTERM + SIGINT when the stop signal is one of them)',
      }),
    to: z.array(z.enum(['main', 'group', 'children'])).min(1).default(['main']),
    races: z.boolean().default(true).meta({ description: 'Two terminating signals back to back' }),
    storms: z.boolean().default(true).meta({ description: 'Storms of the signals the target must survive' }),
    pauses: z.boolean().default(false),
    partitions: z.boolean().default(false),
    max_events: z.number().int().min(1).max(20).default(3),
    horizon: duration.default(1500).meta({ description: 'Events fall within this long after readiness' }),
    step: duration
      .refine((ms) => ms >= 1, { message: 'expected a step of at least 1ms' })
      .default(25)
      .meta({ description: 'Event times are multiples of this (coarse steps shrink well)' }),
  })
  .meta({ description: 'What `sigstorm fuzz` may generate' });

export const ScenarioSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"')
      .optional()
      .meta({ description: 'Defaults to the file name without extension' }),
    description: z.string().optional(),
    target,
    expect: z
      .record(z.string(), expectation)
      .default({})
      .meta({ description: 'Per signal: what must hold after it is delivered. Keys are signal names.' }),
    workload: workload.optional(),
    oracles: oracleSettings.default({
      lost_requests: { no_refusals_for: 0 },
      handles: { fd_slack: 8, allow_zombies: false, removed_on_exit: [], kept_on_exit: [] },
    }),
    faults: faultSpace.optional(),
    schedule: ScheduleSchema.optional().meta({
      description: 'Events `sigstorm run` plays when none are given (default: stop it at once, like docker stop)',
    }),
  })
  .meta({ title: 'sigstorm scenario', description: 'One target service and what must hold when it is signalled' });

export type RawScenario = z.input<typeof ScenarioSchema>;
export type ParsedScenario = z.output<typeof ScenarioSchema>;
export type Expectation = z.output<typeof expectation>;

export interface ExitExpectation {
  kind: 'exit';
  exit: number[];
  within: number;
}
export interface AliveExpectation {
  kind: 'alive';
  settle: number;
}
export type SignalExpectation = ExitExpectation | AliveExpectation;

/** A loaded, validated scenario with every path absolute and every default filled in. */
export interface Scenario {
  name: string;
  description?: string;
  path: string;
  target: Target;
  expect: Partial<Record<SignalName, SignalExpectation>>;
  workload: Workload;
  oracles: OracleSettings;
  /** Played by `run` when no events are given. */
  schedule: Schedule;
  /** What the fuzzer may generate. */
  faults: FaultSpace;
  /** Signals orchestrators send that the fault space leaves out: reported, never failed. */
  coverage: CoverageNote[];
}

export interface FaultSpace {
  signals: SignalName[];
  to: ('main' | 'group' | 'children')[];
  races: boolean;
  storms: boolean;
  pauses: boolean;
  partitions: boolean;
  maxEvents: number;
  horizon: number;
  step: number;
}

export type Workload = z.output<typeof workload>;
export type FaultSpaceSettings = z.output<typeof faultSpace>;
export type OracleSettings = z.output<typeof oracleSettings>;

export interface Target {
  /** Where the per-trial data directory appears inside a container (process form: DATA_DIR is the host path). */
  dataDir?: string;
  container?: ContainerForm;
  process?: ProcessForm;
  prepare?: { command: string[]; cwd: string };
  ready: ReadyProbeSpec;
  stopSignal: SignalName;
  stopGracePeriod: number;
}

export interface ContainerForm {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  ports: number[];
  init: boolean;
}

export interface ProcessForm {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  portEnv: string;
}

export interface ReadyProbeSpec {
  http?: string;
  port?: number;
  log?: string;
  timeout: number;
}
