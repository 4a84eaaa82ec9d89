import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { badInput } from '../errors.js';
import { normalizeSignal, validSignalNames } from '../signals.js';
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

export const SignalEventSchema = z.strictObject({
  at,
  kind: z.literal('signal').default('signal'),
  signal,
  to: z.enum(['main', 'group', 'children']).default('main'),
});

export const EventSchema = SignalEventSchema;
export const ScheduleSchema = z.array(EventSchema);

/** One timed fault, `at` ms after the target became ready. Plain data: it is what gets generated, saved and replayed. */
export type FaultEvent = z.output<typeof EventSchema>;
export type Schedule = FaultEvent[];

/** Parses a schedule given on the command line (`--events`) or in a file (`--schedule`, JSON or YAML). */
export function parseSchedule(input: unknown, source: string): Schedule {
  const list = Array.isArray(input) ? input : (input as { events?: unknown } | null)?.events;
  const result = ScheduleSchema.safeParse(list);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message.replace(/^Invalid input: /, '')}`);
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

/** "+120 ms SIGTERM→main" */
export const describeEvent = (e: FaultEvent): string => `+${Math.round(e.at)} ms ${e.signal}→${e.to}`;
