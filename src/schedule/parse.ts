import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { badInput } from '../errors.js';
import { issueLines } from '../input/zod-issue.js';
import { ScheduleSchema, type Schedule } from './event.js';

// Schedules a person hands sigstorm: on the command line (`--events`), in a file (`--schedule`), or in a report.

/** Parses a schedule given on the command line (`--events`) or in a file (`--schedule`, JSON or YAML). */
export function parseSchedule(input: unknown, source: string): Schedule {
  const list = Array.isArray(input) ? input : (input as { events?: unknown } | null)?.events;
  if (!Array.isArray(list)) {
    throw badInput(`${source}: expected a list of events such as [{"at": 0, "signal": "SIGTERM", "to": "main"}] (or {"events": [...]}), got ${describeJson(input)}`);
  }
  const result = ScheduleSchema.safeParse(list);
  if (!result.success) {
    const lines = issueLines(result.error, '(the list)').map((line) => `  ${line}`);
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

const describeJson = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object without `events`' : `a ${typeof value}`;
