import { anchorOf, fromSpawn, serviceOf, type Schedule } from '../schedule/event.js';
import type { SignalName } from '../signals.js';
import type { TrialRecord } from '../trial/record.js';
import { anchorText, lifeEnd, logKind } from './activity.js';
import { kindOf } from './fault-cells.js';

// What a judged trial showed, as features a guided campaign keeps score of (src/fuzz/corpus.ts): a schedule whose
// trial showed a feature no earlier one did joins the corpus, as in coverage-guided fuzzers. Pure: a record in,
// features out, so a saved record gives the same answer offline. Times are bucketed coarsely (powers of two), so
// a millisecond of jitter rarely makes a feature, and the same trial on a busy machine mostly shows the same ones.

/** A request that ended this close before the exit (ms) was nearly cut off by it. */
const NEAR_EXIT_MS = 5;
/** A signal delivered this close to a line the target printed (ms) landed near what the line announced. */
const NEAR_LINE_MS = 32;
/** A record holds the last 1000 log lines: with that many, which came first is not known. */
const LOG_LINES_KEPT = 1000;

/** The smallest power of two (1, 2, 4 …) at or above `ms`: "≤4 ms". */
const bucket = (ms: number): number => 2 ** Math.max(0, Math.ceil(Math.log2(Math.max(1, ms))));

/**
 * The features a trial showed: its exit status; near-misses (a request that ended within a few ms of the exit, an
 * exit deadline half, three quarters or nine tenths spent, a signal delivered within a few ms after a kind of line the target printed on its own);
 * the kinds of line printed after the first signal; the set of process names; the fault cells its schedule fell in
 * (on the fault space's `step` grid). Feature strings name what they saw: `exit 143`, `near: signal 2 ms after "reopening logs"`.
 */
export function noveltyOf(record: TrialRecord, schedule: Schedule, space: { step: number; targetName: string }): string[] {
  const features = new Set<string>([`exit ${record.exit.status}${record.exit.forcedKill ? ' (killed)' : ''}`]);
  const signals = deliveredSignals(record);
  const first = signals[0];
  const exitAt = record.exit.atMs;
  for (const e of record.ledger) {
    if (e.endMs <= exitAt && exitAt - e.endMs <= NEAR_EXIT_MS) features.add(`near: ${e.kind} ${e.outcome} ≤${NEAR_EXIT_MS} ms before the exit`);
  }
  if (first) {
    const expected = record.expect[first.signal];
    if (expected?.kind === 'exit' && expected.within > 0) {
      const spent = (exitAt - first.atMs) / expected.within;
      for (const share of [0.5, 0.75, 0.9]) if (spent >= share && spent <= 1) features.add(`near: exit deadline ${share * 100}% spent`);
    }
  }
  const logs = record.logs.length < LOG_LINES_KEPT ? record.logs : [];
  // Lines of the target's own life only (after readiness, before the schedule touched it): what it prints in answer
  // to a signal follows that signal by its reaction time, and would make every jitter of it new.
  const end = lifeEnd(record);
  const own = logs.filter((l) => l.atMs >= 0 && l.atMs < end);
  for (const s of signals) {
    for (const line of own) {
      const gap = s.atMs - line.atMs;
      const kind = logKind(line.text);
      if (gap >= 0 && gap <= NEAR_LINE_MS && kind) features.add(`near: ${s.signal} ≤${bucket(gap)} ms after "${kind}"`);
    }
  }
  if (first) for (const line of logs) if (line.atMs > first.atMs && logKind(line.text)) features.add(`log after a signal: "${logKind(line.text)}"`);
  const processes = new Set(record.samples.flatMap((s) => s.processes.map((p) => p.comm)));
  if (processes.size) features.add(`processes ${[...processes].sort().join(',')}`);
  for (const e of schedule) if (!fromSpawn(e) && !anchorOf(e)) features.add(`cell ${kindOf(e, space.targetName)}@${Math.floor(e.at / space.step)}`);
  return [...features];
}

/** A feature about what the target did, not only where the schedule fell (a fault cell). */
export const isBehaviour = (feature: string): boolean => !feature.startsWith('cell ');

/** The signals of the schedule the target got (not the stop model's or the teardown's), in order of delivery. */
function deliveredSignals(record: TrialRecord): { signal: SignalName; atMs: number }[] {
  return record.events
    .filter((e) => e.origin === 'schedule' && serviceOf(e) === undefined)
    .flatMap((e) => e.deliveries ?? [])
    .sort((a, b) => a.atMs - b.atMs);
}

/**
 * A line the target printed after readiness, as a point events may move to or be anchored at: when it was read, the
 * text an anchor looks for (activity.ts: its longest run of words without digits), and which line holding that text
 * it was since readiness (`nth`, what `after: {log, nth}` counts).
 */
export interface ObservedLine {
  atMs: number;
  log: string;
  nth: number;
}

/** At most this many lines kept per corpus entry: those nearest the schedule's events. */
const MAX_LINES = 40;

/**
 * The lines a trial saw after readiness, up to its end, that an anchor can find again (text of 3 characters or more),
 * the MAX_LINES nearest to the times of `schedule`'s events (timed from readiness), in the order read.
 */
export function observedLines(record: Pick<TrialRecord, 'logs' | 'exit' | 'exitedInStartup'>, schedule: Schedule): ObservedLine[] {
  if (record.exitedInStartup || record.logs.length >= LOG_LINES_KEPT) return [];
  const after = record.logs.filter((l) => l.atMs >= 0 && l.atMs <= record.exit.atMs);
  const lines: ObservedLine[] = [];
  for (const [i, line] of after.entries()) {
    const log = anchorText(line.text);
    if (log.length < 3) continue;
    const nth = after.slice(0, i + 1).filter((l) => l.text.includes(log)).length;
    lines.push({ atMs: line.atMs, log, nth });
  }
  const times = schedule.filter((e) => !fromSpawn(e) && !anchorOf(e)).map((e) => e.at);
  if (lines.length <= MAX_LINES || times.length === 0) return lines.slice(0, MAX_LINES);
  const distance = (l: ObservedLine) => Math.min(...times.map((t) => Math.abs(t - l.atMs)));
  const nearest = new Set([...lines].sort((a, b) => distance(a) - distance(b)).slice(0, MAX_LINES));
  return lines.filter((l) => nearest.has(l));
}
