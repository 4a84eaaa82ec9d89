import { z } from 'zod';
import type { SchemaFields, SchemaOnlyKeys } from '../input/schema-ties.js';
import { issueLines } from '../input/zod-issue.js';
import { isSignalName } from '../signals.js';
import { OUTCOMES } from '../workload/ledger.js';
import type { TrialRecord } from './record.js';

// The shape of a saved trial record (record.ts), checked before `analyze` judges one again: the oracles trust
// their input, and a hand-edited or truncated file must be refused with the key path that is wrong rather than
// crash an oracle. Loose objects: fields added by newer versions pass through. record.ts stays the source of the
// types; the two statements after the schema tie this to it at compile time.

const ms = z.number().finite();
const signal = z.string().refine(isSignalName, { message: 'expected a signal name such as SIGTERM' });
const fdKinds = z.looseObject({ socket: z.number(), pipe: z.number(), anon: z.number(), file: z.number(), other: z.number() });
const process = z.looseObject({
  pid: z.number().int(),
  ppid: z.number().int(),
  state: z.string(),
  comm: z.string(),
  fds: z.number().nullable(),
  fdKinds: fdKinds.optional(),
  fdTargets: z.record(z.string(), z.number()).optional(),
});

const event = z.looseObject({
  at: ms,
  kind: z.enum(['signal', 'storm', 'race', 'pause', 'partition', 'stop', 'unready', 'rollout']),
  scheduledMs: ms,
  deliveredMs: ms.optional(),
  healedMs: ms.optional(),
  heldMs: ms.optional(),
  duration: ms.optional(),
  signal: signal.optional(),
  signals: z.array(signal).optional(),
  deliveries: z.array(z.looseObject({ signal, atMs: ms })).optional(),
  pids: z.array(z.number()).optional(),
  origin: z.enum(['schedule', 'teardown', 'stop']),
});

const spread = z.looseObject({ p50: ms, p99: ms, max: ms, n: z.number().int() });
const timing = z.looseObject({ lagUs: spread, raceGapUs: spread.optional(), path: z.enum(['timing-thread', 'event-loop', 'mixed']) });

const expectation = z.union([
  z.looseObject({ kind: z.literal('exit'), exit: z.array(z.number().int()), within: ms }),
  z.looseObject({ kind: z.literal('alive'), settle: ms }),
]);

export const TrialRecordSchema = z.looseObject({
  scenario: z.looseObject({ name: z.string(), path: z.string() }),
  expect: z.record(signal, expectation),
  oracles: z.looseObject({
    lost_requests: z.looseObject({ no_refusals_for: ms }),
    handles: z.looseObject({ fd_slack: ms, allow_zombies: z.boolean(), removed_on_exit: z.array(z.string()) }),
    second_signal: z.looseObject({ policy: z.enum(['ignore', 'force-exit']), within: ms }).optional(),
  }),
  stopSignal: signal,
  stopGracePeriodMs: ms,
  target: z.looseObject({ pid: z.number().int() }),
  events: z.array(event),
  timing: timing.optional(),
  checks: z.array(z.looseObject({ event: z.number().int(), atMs: ms, alive: z.boolean(), ready: z.looseObject({ ok: z.boolean(), detail: z.string() }).nullable() })),
  stop: z
    .looseObject({
      model: z.string(), // any registered stop model's name (src/stop-models/registry.ts)
      beganMs: ms,
      endpointDelayMs: ms.optional(),
      steps: z.array(z.looseObject({ step: z.string(), atMs: ms, detail: z.string().optional(), dueMs: ms.optional() })),
    })
    .optional(),
  exit: z.looseObject({
    exitCode: z.number().int().nullable(),
    signal: signal.nullable(),
    status: z.number().int(),
    atMs: ms,
    forcedKill: z.boolean(),
    killedAtMs: ms.optional(),
    lingering: z.array(process),
  }),
  samples: z.array(z.looseObject({ atMs: ms, doneMs: ms.optional(), processes: z.array(process) })),
  executables: z
    .array(z.looseObject({ pid: z.number().int(), startTime: z.number(), comm: z.string(), path: z.string(), elf: z.boolean().optional(), go: z.string().optional() }))
    .optional(),
  ledger: z.array(
    z.looseObject({
      id: z.number(),
      kind: z.enum(['request', 'stream', 'write', 'job']),
      protocol: z.enum(['tcp', 'grpc', 'exec', 'redis']).optional(),
      sentMs: ms,
      firstByteMs: ms.optional(),
      endMs: ms,
      outcome: z.enum(OUTCOMES),
      status: z.number().optional(),
      bytes: z.number(),
      expectedBytes: z.number().optional(),
      rst: z.literal(true).optional(),
      writeId: z.number().optional(),
      jobId: z.number().optional(),
    }),
  ),
  connections: z.array(z.looseObject({ openMs: ms, closeMs: ms.optional() })).optional(),
  loopLate: z.array(z.looseObject({ atMs: ms, lateMs: z.number() })).optional(),
  sockets: z
    .looseObject({
      port: z.number().int(),
      snapshots: z.array(
        z.looseObject({
          atMs: ms,
          doneMs: ms.optional(),
          at: z.enum(['before', 'after', 'tick']),
          conns: z.array(z.looseObject({ port: z.number().int(), state: z.string(), rx: z.number(), accepted: z.boolean() })).optional(),
          error: z.string().optional(),
        }),
      ),
    })
    .optional(),
  readback: z
    .looseObject({ file: z.string(), ids: z.array(z.number()), unread: z.array(z.number()).optional(), error: z.string().optional() })
    .optional(),
  jobs: z
    .looseObject({ done: z.array(z.number()), queued: z.array(z.number()), exactlyOnce: z.boolean(), error: z.string().optional() })
    .optional(),
  dependencies: z
    .array(
      z.looseObject({
        name: z.string(),
        readyMs: ms,
        expect: z.record(z.string(), z.unknown()),
        exit: z.looseObject({ status: z.number(), atMs: ms }).optional(),
      }),
    )
    .optional(),
  files: z.array(z.looseObject({ path: z.string(), exists: z.boolean() })),
  logs: z.array(z.looseObject({ atMs: ms, stream: z.string(), text: z.string() })),
  writes: z.array(z.looseObject({ atMs: ms, name: z.string() })).optional(),
  // A lane's own record is a record of this shape again: an oracle that meets a broken one gives unknown.
  rollout: z
    .looseObject({
      plan: z.looseObject({ replicas: z.number().int(), strategy: z.string() }),
      beganMs: ms,
      replicas: z.array(z.looseObject({ name: z.string(), version: z.enum(['v1', 'v2']), startedMs: ms, record: z.looseObject({}).optional() })),
      rotation: z.array(z.looseObject({ atMs: ms, replica: z.string(), change: z.enum(['in', 'out']) })),
      routes: z.array(z.looseObject({ clientPort: z.number().int(), acceptedMs: ms, outcome: z.enum(['connected', 'refused', 'none']) })),
      routedTo: z.record(z.string(), z.string()),
    })
    .optional(),
});

// Every record sigstorm writes passes the schema, and the schema checks no key that TrialRecord lacks: tsc fails,
// naming the field, when either side changes alone. (Nothing happens here at run time.)
({}) as TrialRecord satisfies SchemaFields<z.input<typeof TrialRecordSchema>>;
[] as SchemaOnlyKeys<z.input<typeof TrialRecordSchema>, TrialRecord>[] satisfies never[];

/** "events[0].deliveredMs: expected number" lines for a record that does not have the shape of a trial record. */
export function recordProblems(value: unknown): string[] {
  const result = TrialRecordSchema.safeParse(value);
  if (result.success) return [];
  return issueLines(result.error, '(the record)').slice(0, 10);
}
