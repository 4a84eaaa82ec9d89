import { z } from 'zod';
import { duration } from '../input/fields/duration.js';
import { signal } from '../input/fields/signal.js';
import type { SignalName } from '../signals.js';

/** When an event happens: milliseconds after the target became ready (or, with `from: spawn`, after it was started). */
const at = duration('expected milliseconds after readiness (or after spawn, with from: spawn), e.g. 120 or "1.5s"').meta({
  description: 'When the event happens: this long after the target became ready (or after it was started, with `from: spawn`; after its line, request or write, with `after`)',
});
/**
 * What `at` counts from: readiness (the default), or the target's spawn, to signal it during its start-up. Aimed at a
 * replica of a rollout (`replica`): that replica's readiness, spawn or stop (its beginning); left out, the rollout's
 * clock (the workload's start).
 */
const from = z
  .enum(['ready', 'spawn', 'stop'])
  .optional()
  .meta({
    description:
      "What `at` counts from: readiness (the default), or the spawn of the target, to signal it during its start-up; with `replica`, that replica's readiness, spawn or `stop` (its stop's beginning), and left out, the workload's start",
  });

/** A replica of a rollout as the record names it: `v1-2` (the second old one), `v2-1` (the first new one). */
export const REPLICA_NAME = /^v[12]-[1-9][0-9]?$/;
const replica = z
  .string()
  .regex(REPLICA_NAME, 'expected a replica of the rollout as the record names it: v1-1, v1-2, … (old), v2-1, … (new)')
  .optional()
  .meta({ description: 'A rollout: the replica it is aimed at, as the record names it (`v1-2`: the second old one, `v2-1`: the first new one)' });

/** How long after readiness an anchored event waits for its line or request by default (the horizon's default reach, 10 s). */
export const ANCHOR_WITHIN_MS = 10_000;

/** A line anchor: `at` counts from the moment the `nth` line of the target's output (after readiness) holding `log` was read. */
export interface LineAnchor {
  log: string;
  nth: number;
  within: number;
}
/**
 * A request anchor: `at` counts from a phase of the `request`th request the workload sent after readiness (HTTP;
 * counting only those to `path`, its query string aside, when given): `sent` once written to its connection,
 * `response` at the first byte of its response. "SIGTERM 3 ms after the 2nd POST /order was sent": while it is in flight.
 */
export interface RequestAnchor {
  request: number;
  path?: string;
  phase: 'sent' | 'response';
  within: number;
}
/**
 * A file anchor: `at` counts from the `nth` time (after readiness) the target wrote a file of its data directory whose
 * name holds `file`: created, written, renamed or removed there, as the kernel reports it (inotify), a burst of such
 * changes closer than FILE_BURST_MS together being one write. For a window that a silent flush opens.
 */
export interface FileAnchor {
  file: string;
  nth: number;
  within: number;
}
export type Anchor = LineAnchor | RequestAnchor | FileAnchor;

/** Changes to matching files closer together than this are one write (a temporary file written, then renamed over the old one). */
export const FILE_BURST_MS = 10;

const ANCHOR_KINDS = { log: ['log', 'nth'], request: ['request', 'path', 'phase'], file: ['file', 'nth'] } as const;
const ANCHOR_NAMES = { log: 'a line (`log`)', request: 'a request (`request`)', file: 'a file write (`file`)' } as const;

/**
 * `after`: one object for every anchor (so a wrong key is named where it is, not lost in a union's branches), told
 * apart by `log`, `request` or `file`; not played when no such line, request or write came `within` ms of readiness.
 */
export const AnchorSchema = z
  .strictObject({
    log: z
      .string()
      .min(1, 'expected the text of a line of the target output (a part of it is enough)')
      .optional()
      .meta({ description: "Text of a line of the target's output (a part of it is enough), printed after readiness" }),
    nth: z.number().int().min(1).optional().meta({ description: '`log` or `file`: which such line or write counts (default: the first)' }),
    request: z
      .number()
      .int()
      .min(1, 'expected which request: 1 for the first the workload sent after readiness')
      .optional()
      .meta({ description: 'Which HTTP request of the workload: 1 for the first it sent after readiness' }),
    path: z
      .string()
      .regex(/^\//, 'expected an HTTP path of the workload, such as /order')
      .optional()
      .meta({ description: '`request`: count only the requests to this path (their query string aside)' }),
    phase: z
      .enum(['sent', 'response'])
      .optional()
      .meta({ description: '`request`: count from when it was written to its connection (`sent`, the default) or from the first byte of its response' }),
    file: z
      .string()
      .min(1, 'expected (a part of) the name of a file the target writes in its data directory, such as snapshot')
      .regex(/^[^/]+$/, 'expected a file name without a directory: a file of the data directory')
      .optional()
      .meta({ description: 'A part of the name of a file the target creates, writes, renames or removes in its data directory' }),
    within: duration()
      .default(ANCHOR_WITHIN_MS)
      .meta({ description: 'The event is not played when no such line, request or write came this long after readiness' }),
  })
  .superRefine((a, ctx) => {
    const given = (Object.keys(ANCHOR_KINDS) as (keyof typeof ANCHOR_KINDS)[]).filter((k) => a[k] !== undefined);
    if (given.length !== 1) {
      const message = given.length === 0 ? 'missing: expected `log` (a line of the target output), `request` (the nth request of the workload) or `file` (a file the target writes)' : `expected one of \`log\`, \`request\` or \`file\`, not ${given.map((k) => `\`${k}\``).join(' and ')}: an event is timed from one thing`;
      ctx.addIssue({ code: 'custom', path: [], message });
      return;
    }
    const kind = given[0]!;
    const own: readonly string[] = ANCHOR_KINDS[kind];
    for (const key of new Set(Object.values(ANCHOR_KINDS).flat())) {
      if (!own.includes(key) && a[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `\`${key}\` does not belong to an event timed from ${ANCHOR_NAMES[kind]}` });
    }
  })
  .transform((a): Anchor =>
    a.log !== undefined
      ? { log: a.log, nth: a.nth ?? 1, within: a.within }
      : a.file !== undefined
        ? { file: a.file, nth: a.nth ?? 1, within: a.within }
        : { request: a.request!, ...(a.path !== undefined ? { path: a.path } : {}), phase: a.phase ?? 'sent', within: a.within },
  )
  .meta({
    description:
      "Time the event from a line of the target's output (`log`: `at` ms after the `nth` line that contains it), from a request of the workload (`request`: `at` ms after the nth request, to `path` if given, was `sent` or got its first `response` byte) or from a file the target writes in its data directory (`file`: `at` ms after the `nth` write of a file whose name contains it, as the kernel reports it)",
  });
const after = AnchorSchema.optional();

const RECIPIENTS = ['main', 'group', 'children', 'all'] as const;
type Recipient = (typeof RECIPIENTS)[number];
/** A service of the stack: the target's compose service name, or a dependency's. */
export const serviceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a service name: letters, digits, ".", "_" or "-"');
/**
 * Who receives a signal: `main`, `group`, `children` or `all` of the target, or of a service of the stack named
 * before them (`db`, `db:group`). Which services exist is checked against the scenario (scenario/stack.ts).
 */
const recipient = z
  .string()
  .regex(/^(?:[A-Za-z0-9][A-Za-z0-9._-]*)(?::(?:main|group|children|all))?$/, 'expected main, group, children, all, or a service: db, db:group')
  .default('main')
  .meta({
    description:
      "Who receives it: the target's `main` process, its process `group`, the main process's `children`, or `all`; or a service of the stack (`db`, `db:group`)",
  });

export const SignalEventSchema = z
  .strictObject({
    at,
    from,
    after,
    kind: z.literal('signal').meta({ description: 'Written `signal`, or left out: an event with a `signal` key is a signal event' }),
    signal: signal.meta({ description: 'The signal sent' }),
    to: recipient,
    replica,
  })
  .meta({ description: 'One signal' });

/** N signals drawn in turn from `signals`, `spacing` ms apart (reload storms, mixed storms). */
export const StormEventSchema = z
  .strictObject({
    at,
    from,
    after,
    kind: z.literal('storm'),
    signals: z.array(signal).min(1).default(['SIGHUP']).meta({ description: 'The signals sent, in turn' }),
    count: z.number().int().min(1).max(10_000).default(10).meta({ description: 'How many signals in all' }),
    spacing: duration().default(10).meta({ description: 'Time between two signals' }),
    to: recipient,
    replica,
  })
  .meta({ description: 'A storm: `count` signals drawn in turn from `signals`, `spacing` apart (reload storms, mixed storms)' });

/** Two or more signals delivered back to back, as close together as the kernel allows (SIGTERM + SIGINT). */
export const RaceEventSchema = z
  .strictObject({
    at,
    from,
    after,
    kind: z.literal('race'),
    signals: z.array(signal).min(2).max(8).meta({ description: 'The signals, in the order they are sent' }),
    to: recipient,
    replica,
  })
  .meta({ description: 'A race: two or more signals delivered back to back, as close together as the kernel allows (SIGTERM + SIGINT)' });

/** The whole target (or the service `to` names) frozen (SIGSTOP / cgroup freezer) for `duration` ms, then thawed. */
export const PauseEventSchema = z
  .strictObject({
    at,
    from,
    kind: z.literal('pause'),
    to: serviceName.optional().meta({ description: 'A service of the stack to freeze instead of the target' }),
    duration: duration().meta({ description: 'How long it stays frozen' }),
    replica,
  })
  .meta({ description: 'A pause: the whole target (or the service `to` names) frozen (SIGSTOP, or the cgroup freezer), then thawed' });

/**
 * Traffic cut for `duration` ms: packets dropped, or rejected at once. Between the workload and the target, or with
 * `between: [a, b]` on the edge between two services of the stack; `direction` is then seen from `a` (`out`: a→b).
 */
export const PartitionEventSchema = z
  .strictObject({
    at,
    from,
    kind: z.literal('partition'),
    between: z
      .tuple([serviceName, serviceName])
      .optional()
      .meta({ description: 'Two services of the stack whose link is cut, instead of the one between the workload and the target' }),
    direction: z
      .enum(['in', 'out', 'both'])
      .default('both')
      .meta({ description: 'Which way packets are cut: toward the target (`in`), from it (`out`), or both; with `between`, as seen from its first service' }),
    mode: z.enum(['drop', 'reject']).default('drop').meta({ description: 'Drop packets silently, or reject them at once' }),
    duration: duration().meta({ description: 'How long the link stays cut' }),
    replica,
  })
  .meta({ description: 'A partition: traffic cut for a while, between the workload and the target or between two services of the stack' });

/**
 * The orchestrator begins to stop the target: the scenario's `stop:` model plays its whole sequence from here (hooks,
 * signals, the final kill). `endpoint_delay` (Kubernetes): how long new connections keep arriving, in place of the
 * model's.
 */
export const StopEventSchema = z
  .strictObject({
    at,
    kind: z.literal('stop'),
    endpoint_delay: duration()
      .optional()
      .meta({ description: "Kubernetes: how long new connections keep arriving after the stop begins, in place of the model's `endpoint_delay`" }),
  })
  .meta({
    description:
      "A stop: the orchestrator begins to stop the target, and the scenario's `stop:` model plays its whole sequence from here (hooks, signals, the final kill)",
  });

/**
 * A rollout: a replica's readiness probe fails for `duration` ms from `at` (a readiness flap), whatever the target
 * answers: after `failure_threshold` failed probes the balancer takes it out, at the next passing one back in.
 */
export const UnreadyEventSchema = z
  .strictObject({
    at,
    from,
    kind: z.literal('unready'),
    replica: z.string().regex(REPLICA_NAME, 'expected a replica of the rollout as the record names it: v1-1, v1-2, … (old), v2-1, … (new)').meta({
      description: 'The replica whose readiness probe fails (`v2-1`: the first new one)',
    }),
    duration: duration().meta({ description: 'How long its probes fail' }),
  })
  .meta({ description: "A readiness flap (a rollout): a replica's readiness probe fails for a while, the balancer takes it out and back in" });

/**
 * A rollout of `replicas` replicas beginning at `at` (ms after the workload started), in place of the scenario's
 * `replicas` and `rollout.at`: what the fuzzer shrinks a failing rollout to (fewer replicas), and replays.
 */
export const RolloutEventSchema = z
  .strictObject({
    at,
    kind: z.literal('rollout'),
    replicas: z.number().int().min(1).max(5).meta({ description: 'Replicas before and after the rollout, in place of the scenario\'s' }),
  })
  .meta({ description: "A rollout's size and beginning, in place of the scenario's `replicas` and `rollout.at`" });

export const EventSchema = z.preprocess(
  // `kind` may be left out of a plain signal event: {"at": 0, "signal": "SIGTERM"}
  (value) => (value && typeof value === 'object' && !('kind' in value) && 'signal' in value ? { ...value, kind: 'signal' } : value),
  z
    .discriminatedUnion('kind', [
      SignalEventSchema,
      StormEventSchema,
      RaceEventSchema,
      PauseEventSchema,
      PartitionEventSchema,
      StopEventSchema,
      UnreadyEventSchema,
      RolloutEventSchema,
    ])
    .superRefine((event, ctx) => {
      if ('after' in event && event.after && 'from' in event && event.from !== undefined && event.from !== 'ready') {
        ctx.addIssue({ code: 'custom', path: ['after'], message: `an event timed from a line or a request (\`after\`) counts from one after readiness: it cannot also be \`from: ${event.from}\`` });
      }
      const aimed = 'replica' in event && event.replica !== undefined;
      if (!aimed && 'from' in event && event.from === 'stop') {
        ctx.addIssue({ code: 'custom', path: ['from'], message: '`from: stop` counts from a replica\'s stop: name it with `replica: v1-1`' });
      }
      if (!aimed && (event.kind === 'pause' || event.kind === 'partition') && event.from !== undefined && event.from !== 'ready') {
        ctx.addIssue({ code: 'custom', path: ['from'], message: `a ${event.kind} of the target counts from its readiness: \`from: ${event.from}\` is for a replica of a rollout (\`replica\`)` });
      }
      if (aimed && 'after' in event && event.after) ctx.addIssue({ code: 'custom', path: ['after'], message: 'an event aimed at a replica is timed with `from` (its readiness, spawn or stop), not `after`' });
    })
    .meta({ description: 'One timed fault, told apart by `kind`' }),
);
export const ScheduleSchema = z.array(EventSchema);

/** One timed fault, `at` ms after the target became ready (signals, storms and races: or after its spawn, `from: spawn`). Plain data: it is what gets generated, saved and replayed. */
export type FaultEvent = z.output<typeof EventSchema>;
export type SignalEvent = z.output<typeof SignalEventSchema>;
export type StormEvent = z.output<typeof StormEventSchema>;
export type RaceEvent = z.output<typeof RaceEventSchema>;
export type PauseEvent = z.output<typeof PauseEventSchema>;
export type PartitionEvent = z.output<typeof PartitionEventSchema>;
export type StopEvent = z.output<typeof StopEventSchema>;
export type UnreadyEvent = z.output<typeof UnreadyEventSchema>;
export type RolloutEvent = z.output<typeof RolloutEventSchema>;
export type Schedule = FaultEvent[];

/** An event timed from the target's spawn: played during its start-up, while readiness is awaited. */
export const fromSpawn = (event: FaultEvent): boolean => 'from' in event && event.from === 'spawn';

/** The line or request an event is timed from (`after`), if it is. */
export const anchorOf = (event: FaultEvent): Anchor | undefined => ('after' in event ? event.after : undefined);
export const isLineAnchor = (anchor: Anchor): anchor is LineAnchor => 'log' in anchor;
export const isFileAnchor = (anchor: Anchor): anchor is FileAnchor => 'file' in anchor;
export const isRequestAnchor = (anchor: Anchor): anchor is RequestAnchor => 'request' in anchor;

/** A file anchor in words: `the write of "snapshot"`, `write #2 of "wal"`. */
export const describeFileAnchor = (a: FileAnchor): string => `${a.nth > 1 ? `write #${a.nth} of` : 'the write of'} ${JSON.stringify(a.file)}`;

/** An anchor in words, as `describeEvent` puts it after "after". */
export const describeAnchor = (a: Anchor): string =>
  isLineAnchor(a) ? `${a.nth > 1 ? `line #${a.nth} with ` : ''}${JSON.stringify(a.log)}` : isFileAnchor(a) ? describeFileAnchor(a) : describeRequestAnchor(a);

/** A request anchor in words: `request 2 to /order sent`, `request 1 response`. */
export const describeRequestAnchor = (a: RequestAnchor): string => `request ${a.request}${a.path ? ` to ${a.path}` : ''} ${a.phase === 'sent' ? 'sent' : 'answered'}`;

/** Where a signal lands: a service of the stack (undefined: the target) and which of its processes. */
export function recipientOf(to: string): { service?: string; recipient: Recipient } {
  if ((RECIPIENTS as readonly string[]).includes(to)) return { recipient: to as Recipient };
  const [service, recipient = 'main'] = to.split(':') as [string, Recipient?];
  return { service, recipient };
}

/** The dependency an event is aimed at, or undefined when it is aimed at the target (or, a partition, at an edge). */
export function serviceOf(event: FaultEvent): string | undefined {
  if (event.kind === 'partition' || event.kind === 'stop' || event.kind === 'unready' || event.kind === 'rollout') return undefined;
  if (event.kind === 'pause') return event.to;
  return recipientOf(event.to).service;
}

/** The services an event touches: its recipient, or both ends of a partition's edge (none: the target alone). */
export function servicesOf(event: FaultEvent): string[] {
  if (event.kind === 'partition') return event.between ? [...event.between] : [];
  if (event.kind === 'stop' || event.kind === 'unready' || event.kind === 'rollout') return [];
  const service = serviceOf(event);
  return service ? [service] : [];
}

/** The signals an event delivers, in order (none for pauses and partitions). */
export function signalsOf(event: FaultEvent): SignalName[] {
  switch (event.kind) {
    case 'signal':
      return [event.signal];
    case 'race':
      return event.signals;
    case 'storm':
      return Array.from({ length: event.count }, (_, i) => event.signals[i % event.signals.length]!);
    default:
      return [];
  }
}

/** "+120 ms SIGTERM→main", "spawn+300 ms SIGTERM→main", "v1-1 stop+2300 ms SIGTERM→main", "v2-1 ready+0 ms pause 500 ms", "+3 ms after "reopening logs" SIGTERM→main", "+2 ms after request 3 to /order sent SIGTERM→main", "+1 ms after the write of "snapshot" SIGTERM→main", "+0 ms race SIGTERM+SIGINT→main", "+50 ms pause 2000 ms", "+0 ms stop" */
export function describeEvent(e: FaultEvent): string {
  const anchor = anchorOf(e);
  const line = anchor ? ` after ${describeAnchor(anchor)}` : '';
  const replica = 'replica' in e && e.replica !== undefined ? e.replica : undefined;
  const at = replica
    ? `${replica} ${'from' in e && e.from ? e.from : ''}+${Math.round(e.at)} ms`
    : fromSpawn(e)
      ? `spawn+${Math.round(e.at)} ms`
      : `${e.at < 0 ? '' : '+'}${Math.round(e.at)} ms${line}`;
  switch (e.kind) {
    case 'signal':
      return `${at} ${e.signal}→${e.to}`;
    case 'race':
      return `${at} race ${e.signals.join('+')}→${e.to}`;
    case 'storm':
      return `${at} storm ${e.count}× ${[...new Set(e.signals)].join('/')} every ${e.spacing} ms→${e.to}`;
    case 'pause':
      return `${at} pause${e.to ? ` ${e.to}` : ''} ${e.duration} ms`;
    case 'partition':
      return `${at} partition ${e.between ? `${e.between.join('↔')} ` : ''}${e.direction} (${e.mode}) ${e.duration} ms`;
    case 'stop':
      return `${at} stop${e.endpoint_delay !== undefined ? ` (endpoints lag ${Math.round(e.endpoint_delay)} ms)` : ''}`;
    case 'unready':
      return `${at} unready ${Math.round(e.duration)} ms`;
    case 'rollout':
      return `${at} rollout of ${e.replicas} replica${e.replicas === 1 ? '' : 's'}`;
  }
}
