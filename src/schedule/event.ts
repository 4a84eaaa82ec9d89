import { z } from 'zod';
import { duration } from '../input/fields/duration.js';
import { signal } from '../input/fields/signal.js';
import type { SignalName } from '../signals.js';

/** When an event happens: milliseconds after the target became ready (or, with `from: spawn`, after it was started). */
const at = duration('expected milliseconds after readiness (or after spawn, with from: spawn), e.g. 120 or "1.5s"');
/** What `at` counts from: readiness (the default), or the target's spawn, to signal it during its start-up. */
const from = z.enum(['ready', 'spawn']).optional();

/** How long after readiness an anchored event waits for its line by default (the horizon's default reach, 10 s). */
export const ANCHOR_WITHIN_MS = 10_000;
/**
 * An anchor: `at` counts from the moment the `nth` line of the target's output (stdout or stderr, after readiness)
 * that contains `log` was read, instead of from readiness. Not played when no such line came `within` ms of readiness.
 */
export const AnchorSchema = z
  .strictObject({
    log: z.string().min(1, 'expected the text of a line of the target output (a part of it is enough)'),
    nth: z.number().int().min(1).default(1),
    within: duration().default(ANCHOR_WITHIN_MS),
  })
  .meta({ description: "Time the event from a line of the target's output: `at` ms after the `nth` line that contains `log`" });
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
  .default('main');

export const SignalEventSchema = z.strictObject({
  at,
  from,
  after,
  kind: z.literal('signal'),
  signal,
  to: recipient,
});

/** N signals drawn in turn from `signals`, `spacing` ms apart (reload storms, mixed storms). */
export const StormEventSchema = z.strictObject({
  at,
  from,
  after,
  kind: z.literal('storm'),
  signals: z.array(signal).min(1).default(['SIGHUP']),
  count: z.number().int().min(1).max(10_000).default(10),
  spacing: duration().default(10),
  to: recipient,
});

/** Two or more signals delivered back to back, as close together as the kernel allows (SIGTERM + SIGINT). */
export const RaceEventSchema = z.strictObject({
  at,
  from,
  after,
  kind: z.literal('race'),
  signals: z.array(signal).min(2).max(8),
  to: recipient,
});

/** The whole target (or the service `to` names) frozen (SIGSTOP / cgroup freezer) for `duration` ms, then thawed. */
export const PauseEventSchema = z.strictObject({
  at,
  kind: z.literal('pause'),
  to: serviceName.optional(),
  duration: duration(),
});

/**
 * Traffic cut for `duration` ms: packets dropped, or rejected at once. Between the workload and the target, or with
 * `between: [a, b]` on the edge between two services of the stack; `direction` is then seen from `a` (`out`: a→b).
 */
export const PartitionEventSchema = z.strictObject({
  at,
  kind: z.literal('partition'),
  between: z.tuple([serviceName, serviceName]).optional(),
  direction: z.enum(['in', 'out', 'both']).default('both'),
  mode: z.enum(['drop', 'reject']).default('drop'),
  duration: duration(),
});

/**
 * The orchestrator begins to stop the target: the scenario's `stop:` model plays its whole sequence from here (hooks,
 * signals, the final kill). `endpoint_delay` (Kubernetes): how long new connections keep arriving, in place of the
 * model's.
 */
export const StopEventSchema = z.strictObject({
  at,
  kind: z.literal('stop'),
  endpoint_delay: duration().optional(),
});

export const EventSchema = z.preprocess(
  // `kind` may be left out of a plain signal event: {"at": 0, "signal": "SIGTERM"}
  (value) => (value && typeof value === 'object' && !('kind' in value) && 'signal' in value ? { ...value, kind: 'signal' } : value),
  z
    .discriminatedUnion('kind', [SignalEventSchema, StormEventSchema, RaceEventSchema, PauseEventSchema, PartitionEventSchema, StopEventSchema])
    .superRefine((event, ctx) => {
      if ('after' in event && event.after && fromSpawn(event)) {
        ctx.addIssue({ code: 'custom', path: ['after'], message: 'an event timed from a line (`after`) counts from a line after readiness: it cannot also be `from: spawn`' });
      }
    }),
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
export type Anchor = z.output<typeof AnchorSchema>;
export type Schedule = FaultEvent[];

/** An event timed from the target's spawn: played during its start-up, while readiness is awaited. */
export const fromSpawn = (event: FaultEvent): boolean => 'from' in event && event.from === 'spawn';

/** The line an event is timed from (`after`), if it is. */
export const anchorOf = (event: FaultEvent): Anchor | undefined => ('after' in event ? event.after : undefined);

/** Where a signal lands: a service of the stack (undefined: the target) and which of its processes. */
export function recipientOf(to: string): { service?: string; recipient: Recipient } {
  if ((RECIPIENTS as readonly string[]).includes(to)) return { recipient: to as Recipient };
  const [service, recipient = 'main'] = to.split(':') as [string, Recipient?];
  return { service, recipient };
}

/** The dependency an event is aimed at, or undefined when it is aimed at the target (or, a partition, at an edge). */
export function serviceOf(event: FaultEvent): string | undefined {
  if (event.kind === 'partition' || event.kind === 'stop') return undefined;
  if (event.kind === 'pause') return event.to;
  return recipientOf(event.to).service;
}

/** The services an event touches: its recipient, or both ends of a partition's edge (none: the target alone). */
export function servicesOf(event: FaultEvent): string[] {
  if (event.kind === 'partition') return event.between ? [...event.between] : [];
  if (event.kind === 'stop') return [];
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

/** "+120 ms SIGTERM→main", "spawn+300 ms SIGTERM→main", "+3 ms after "reopening logs" SIGTERM→main", "+0 ms race SIGTERM+SIGINT→main", "+50 ms pause 2000 ms", "+0 ms stop" */
export function describeEvent(e: FaultEvent): string {
  const anchor = anchorOf(e);
  const line = anchor ? ` after ${anchor.nth > 1 ? `line #${anchor.nth} with ` : ''}${JSON.stringify(anchor.log)}` : '';
  const at = fromSpawn(e) ? `spawn+${Math.round(e.at)} ms` : `${e.at < 0 ? '' : '+'}${Math.round(e.at)} ms${line}`;
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
  }
}
