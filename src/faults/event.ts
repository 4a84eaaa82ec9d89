import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { badInput } from '../errors.js';
import { normalizeSignal, validSignalNames, type SignalName } from '../signals.js';
import { parseDuration } from '../time.js';

const at = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected milliseconds after readiness, e.g. 120 or "1.5s"' });
    return z.NEVER;
  }
  return ms;
});

const signal = z.string().transform((value, ctx) => {
  const name = normalizeSignal(value);
  if (!name) {
    ctx.addIssue({ code: 'custom', message: `expected a signal name, one of: ${validSignalNames()}` });
    return z.NEVER;
  }
  return name;
});

const duration = at;
const recipient = z.enum(['main', 'group', 'children']).default('main');

export const SignalEventSchema = z.strictObject({
  at,
  kind: z.literal('signal'),
  signal,
  to: recipient,
});

/** N signals drawn in turn from `signals`, `spacing` ms apart (reload storms, mixed storms). */
export const StormEventSchema = z.strictObject({
  at,
  kind: z.literal('storm'),
  signals: z.array(signal).min(1).default(['SIGHUP']),
  count: z.number().int().min(1).max(10_000).default(10),
  spacing: duration.default(10),
  to: recipient,
});

/** Two or more signals delivered back to back, as close together as the kernel allows (SIGTERM + SIGINT). */
export const RaceEventSchema = z.strictObject({
  at,
  kind: z.literal('race'),
  signals: z.array(signal).min(2).max(8),
  to: recipient,
});

/** The whole target frozen (SIGSTOP / cgroup freezer) for `duration` ms, then thawed. */
export const PauseEventSchema = z.strictObject({
  at,
  kind: z.literal('pause'),
  duration,
});

/** Traffic between the workload and the target cut for `duration` ms: packets dropped, or rejected at once. */
export const PartitionEventSchema = z.strictObject({
  at,
  kind: z.literal('partition'),
  direction: z.enum(['in', 'out', 'both']).default('both'),
  mode: z.enum(['drop', 'reject']).default('drop'),
  duration,
});

export const EventSchema = z.preprocess(
  // `kind` may be left out of a plain signal event: {"at": 0, "signal": "SIGTERM"}
  (value) => (value && typeof value === 'object' && !('kind' in value) && 'signal' in value ? { ...value, kind: 'signal' } : value),
  z.discriminatedUnion('kind', [SignalEventSchema, StormEventSchema, RaceEventSchema, PauseEventSchema, PartitionEventSchema]),
);
export const ScheduleSchema = z.array(EventSchema);

/** One timed fault, `at` ms after the target became ready. Plain data: it is what gets generated, saved and replayed. */
export type FaultEvent = z.output<typeof EventSchema>;
export type SignalEvent = z.output<typeof SignalEventSchema>;
export type StormEvent = z.output<typeof StormEventSchema>;
export type RaceEvent = z.output<typeof RaceEventSchema>;
export type PauseEvent = z.output<typeof PauseEventSchema>;
export type PartitionEvent = z.output<typeof PartitionEventSchema>;
export type Schedule = FaultEvent[];

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

/** Parses a schedule given on the command line (`--events`) or in a file (`--schedule`, JSON or YAML). */
export function parseSchedule(input: unknown, source: string): Schedule {
  const list = Array.isArray(input) ? input : (input as { events?: unknown } | null)?.events;
  if (!Array.isArray(list)) {
    throw badInput(`${source}: expected a list of events such as [{"at": 0, "signal": "SIGTERM", "to": "main"}] (or {"events": [...]}), got ${describeJson(input)}`);
  }
  const result = ScheduleSchema.safeParse(list);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') || '(the list)'}: ${describeScheduleIssue(i)}`);
    throw badInput(`${source}: not a valid schedule (a list of events such as {"at": 0, "signal": "SIGTERM", "to": "main"}):\n${lines.join('\n')}`);
  }
  return [...result.data].sort((a, b) => a.at - b.at);
}

export function parseEventsArgument(text: string): Schedule {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badInput(`--events: not valid JSON (${(error as Error).message})`);
  }
  return parseSchedule(value, '--events');
}

export async function readScheduleFile(path: string): Promise<Schedule> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw badInput(`--schedule ${path}: cannot read (${(error as NodeJS.ErrnoException).code})`);
  }
  let value: unknown;
  try {
    value = parseYaml(text); // YAML is a superset of JSON
  } catch (error) {
    throw badInput(`--schedule ${path}: not valid JSON or YAML (${(error as Error).message.split('\n')[0]})`);
  }
  return parseSchedule(value, path);
}

/** "+120 ms SIGTERM→main", "+0 ms race SIGTERM+SIGINT→main", "+50 ms pause 2000 ms" */
export function describeEvent(e: FaultEvent): string {
  const at = `+${Math.round(e.at)} ms`;
  switch (e.kind) {
    case 'signal':
      return `${at} ${e.signal}→${e.to}`;
    case 'race':
      return `${at} race ${e.signals.join('+')}→${e.to}`;
    case 'storm':
      return `${at} storm ${e.count}× ${[...new Set(e.signals)].join('/')} every ${e.spacing} ms→${e.to}`;
    case 'pause':
      return `${at} pause ${e.duration} ms`;
    case 'partition':
      return `${at} partition ${e.direction} (${e.mode}) ${e.duration} ms`;
  }
}

function describeScheduleIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
    return 'expected `kind` to be one of signal, storm, race, pause, partition';
  }
  // zod says "expected number, received undefined" for a key that is not there.
  return issue.message.replace(/^Invalid input: /, '').replace(/^(expected .*), received undefined$/, 'missing: $1');
}

const describeJson = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object without `events`' : `a ${typeof value}`;
