import { z } from 'zod';
import { describeIssue } from '../input/zod-issue.js';
import { OUTCOMES, type LedgerEntry } from './ledger.js';

/**
 * One line of an exec client's stdout: an operation that has ended, as one JSON object. Written to be easy from any
 * language: wall-clock times in Unix epoch milliseconds (Date.now(), time.time() * 1000), or only a duration.
 */
const line = z.strictObject({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  outcome: z.enum(OUTCOMES),
  start: z.number().finite().optional(),
  end: z.number().finite().optional(),
  duration_ms: z.number().finite().min(0).optional(),
  first_byte_ms: z.number().finite().min(0).optional(),
  op: z.string().optional(),
  kind: z.enum(['request', 'stream', 'write']).optional(),
  acknowledged: z.boolean().optional(),
  status: z.number().int().optional(),
  bytes: z.number().int().min(0).optional(),
  error: z.string().optional(),
});

export const LINE_KEYS = Object.keys(line.shape);

/** Where the client's times land on the trial clock (ms after readiness). */
export interface LineClock {
  /** A Unix epoch time in ms, on the trial clock. */
  trialMs(epochMs: number): number;
  /** When sigstorm read the line: the end of an operation given by its duration alone. */
  readMs: number;
  /** When the client was started: no operation of it began earlier. */
  startedMs: number;
}

/** How far a client's time may fall outside [started, read] before it is taken for a wrong unit, not clock noise. */
export const CLOCK_SLACK_MS = 1000;

const OP_LABEL_MAX = 200;
const ERROR_MAX = 300;

/**
 * A line as a ledger entry (without its ledger id), undefined for a blank line, or what is wrong with it.
 * The client's own id stays visible: in the path label, and as the write id of a write.
 */
export function parseExecLine(text: string, clock: LineClock): { entry: Omit<LedgerEntry, 'id'> } | { problem: string } | undefined {
  if (text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `not JSON (${(error as Error).message})` };
  }
  const parsed = line.safeParse(json);
  if (!parsed.success) return { problem: parsed.error.issues.map((issue) => issueText(issue, json)).join('; ') };
  const op = parsed.data;

  const times = timesOf(op, clock);
  if ('problem' in times) return times;
  const { sentMs, endMs } = times;
  if (op.first_byte_ms !== undefined && sentMs + op.first_byte_ms > endMs + 1) {
    return { problem: `first_byte_ms (${op.first_byte_ms}) is after the end, ${round(endMs - sentMs)} ms after the start` };
  }

  if (op.acknowledged !== undefined && op.kind !== undefined && op.kind !== 'write') {
    return { problem: `acknowledged marks a write, but kind is ${op.kind}` };
  }
  const write = op.kind === 'write' || op.acknowledged !== undefined;
  if (write && op.acknowledged !== undefined && op.acknowledged !== (op.outcome === 'ok')) {
    return { problem: `acknowledged is ${op.acknowledged} but outcome is ${op.outcome}: a write is acknowledged exactly when its outcome is ok` };
  }

  const { method, path } = labels(op.op, op.id);
  return {
    entry: {
      kind: write ? 'write' : (op.kind ?? 'request'),
      protocol: 'exec',
      method,
      path,
      connection: 'fresh',
      reused: false,
      sentMs,
      ...(op.first_byte_ms !== undefined ? { firstByteMs: Math.min(sentMs + op.first_byte_ms, endMs) } : {}),
      endMs,
      outcome: op.outcome,
      ...(op.status !== undefined ? { status: op.status } : {}),
      bytes: op.bytes ?? 0,
      ...(op.error ? { error: shorten(op.error, ERROR_MAX) } : {}),
      ...(write ? { writeId: op.id } : {}),
    },
  };
}

type Line = z.output<typeof line>;

/** start + end, start + duration_ms, or duration_ms alone (ending when the line was read). */
function timesOf(op: Line, clock: LineClock): { sentMs: number; endMs: number } | { problem: string } {
  if (op.end !== undefined && op.duration_ms !== undefined) return { problem: 'expected either end or duration_ms, not both' };
  if (op.end !== undefined && op.start === undefined) return { problem: 'end without start: expected start too (Unix epoch ms)' };
  if (op.start === undefined && op.duration_ms === undefined) {
    return { problem: 'missing: expected start and end (Unix epoch ms), or duration_ms' };
  }
  if (op.start !== undefined && op.end === undefined && op.duration_ms === undefined) {
    return { problem: 'start without end: expected end (Unix epoch ms) or duration_ms too' };
  }
  if (op.start === undefined) return { sentMs: clock.readMs - op.duration_ms!, endMs: clock.readMs };

  const sentMs = clock.trialMs(op.start);
  const endMs = op.end !== undefined ? clock.trialMs(op.end) : sentMs + op.duration_ms!;
  if (endMs < sentMs) return { problem: `end is ${round(sentMs - endMs)} ms before start` };
  if (sentMs < clock.startedMs - CLOCK_SLACK_MS) {
    return { problem: `start is ${describeGap(clock.startedMs - sentMs)} before the client was started: expected Unix epoch milliseconds (Date.now(), time.time() * 1000)` };
  }
  if (endMs > clock.readMs + CLOCK_SLACK_MS) {
    return { problem: `${op.end !== undefined ? 'end' : 'start + duration_ms'} is ${describeGap(endMs - clock.readMs)} after the line was read: expected Unix epoch milliseconds (Date.now(), time.time() * 1000)` };
  }
  return { sentMs, endMs };
}

/** "PUT /k/3" → method PUT, path "/k/3 (client #3)"; a label that does not start with a verb is all path. */
function labels(op: string | undefined, id: number): { method: string; path: string } {
  const label = shorten((op ?? '').trim(), OP_LABEL_MAX);
  const verb = /^([A-Z][A-Z0-9_.-]*)(?:\s+(.*))?$/s.exec(label);
  const rest = verb ? (verb[2] ?? '') : label;
  return { method: verb ? verb[1]! : 'EXEC', path: rest ? `${rest} (client #${id})` : `client #${id}` };
}

function issueText(issue: z.core.$ZodIssue, json: unknown): string {
  if (issue.code === 'unrecognized_keys') return `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (expected ${LINE_KEYS.join(', ')})`;
  const key = issue.path.map(String).join('.');
  if (key && typeof json === 'object' && json !== null && !(key in json)) return `${key}: missing`;
  const message = issue.code === 'invalid_value' ? `expected one of ${issue.values.join(', ')}` : describeIssue(issue);
  return key ? `${key}: ${message}` : message;
}

/** What is wrong, then the line itself under it (shortened, invisible characters spelled out), as compilers quote. */
export const badLine = (number: number, text: string, problem: string): string =>
  `line ${number} is not an operation: ${problem}\n  ${number} | ${visible(shorten(text, 120))}`;

const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const visible = (text: string) =>
  text.replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const round = (ms: number) => Math.round(ms * 10) / 10;

function describeGap(ms: number): string {
  const days = ms / 86_400_000;
  if (days >= 365) return `${Math.round(days / 365.25)} years`;
  if (days >= 1) return `${Math.round(days)} days`;
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms)} ms`;
}
