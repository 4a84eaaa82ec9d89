import { serviceOf } from '../schedule/event.js';
import type { TrialRecord } from '../trial/record.js';

/**
 * What a trial showed of the target's own life: the latest moment it did something new, undisturbed. Pure: a record
 * in, an observation out, so a saved record gives the same answer offline.
 */
export interface Activity {
  /** Ms after readiness. */
  atMs: number;
  /** What was new then, for people: `log "lease renewed"`, `process flusher`, `file /data/wal.1`, `request /x reset`. */
  what: string;
}

/** A record holds the last 1000 log lines: with that many, the first time a line was printed may have been dropped. */
const LOG_LINES_KEPT = 1000;

/**
 * The target's latest new activity before anything of the schedule touched it (its first event delivered, its stop,
 * its exit): the latest of the first times each kind of thing happened after readiness. Kinds: a log line (digits and
 * ids blurred, so a counter is one kind), a process name, a file its main process holds open, a request path that
 * failed or stalled. Things it already did during its start-up are not new. Undefined: nothing new after readiness.
 */
export function latestActivity(record: TrialRecord): Activity | undefined {
  if (record.exitedInStartup) return undefined;
  const end = lifeEnd(record);
  let latest: Activity | undefined;
  const seen = (atMs: number, what: string) => {
    if (atMs >= 0 && atMs < end && (!latest || atMs > latest.atMs)) latest = { atMs, what };
  };
  for (const [what, atMs] of firstTimes(logKinds(record))) seen(atMs, what);
  for (const [what, atMs] of firstTimes(sampleKinds(record))) seen(atMs, what);
  for (const [what, atMs] of firstTimes(writtenKinds(record))) seen(atMs, what);
  for (const [what, atMs] of firstTimes(requestKinds(record))) seen(atMs, what);
  return latest;
}

/**
 * The instants the target's own rhythm showed itself first after readiness, before the schedule touched it: the first
 * time of each kind of log line, process, file held open and file written (requests left out: a stalled one says the
 * machine was busy, not when the target acts). The same kinds as `latestActivity`, each with its instant.
 */
export function rhythmOf(record: TrialRecord): Activity[] {
  if (record.exitedInStartup) return [];
  const end = lifeEnd(record);
  const kinds = [...firstTimes(logKinds(record)), ...firstTimes(sampleKinds(record)), ...firstTimes(writtenKinds(record))];
  return kinds.filter(([, atMs]) => atMs >= 0 && atMs < end).map(([what, atMs]) => ({ atMs, what }));
}

/**
 * Lines the target printed on its own after readiness (before the schedule touched it), as anchors an event may be
 * timed from (`after: {log}`): each line's longest run of words without digits, so `tick 7` anchors every tick. In the
 * order first printed; lines it printed during its start-up too are left out (the ready line among them).
 */
export function anchorsOf(record: TrialRecord): string[] {
  if (record.exitedInStartup || record.logs.length >= LOG_LINES_KEPT) return [];
  const end = lifeEnd(record);
  const before = new Set(record.logs.filter((l) => l.atMs < 0).map((l) => anchorText(l.text)));
  const texts = record.logs.filter((l) => l.atMs >= 0 && l.atMs < end).map((l) => anchorText(l.text));
  return [...new Set(texts)].filter((t) => t.length >= 3 && !before.has(t));
}

/**
 * Files of the data directory the target wrote on its own after readiness (before the schedule touched it), as
 * anchors an event may be timed from (`after: {file}`): each name's longest part without digits, so `segment-7` and
 * `segment-8` are one anchor (`segment-`). In the order first written; files written only before readiness are left out.
 */
export function fileAnchorsOf(record: TrialRecord): string[] {
  if (record.exitedInStartup) return [];
  const end = lifeEnd(record);
  const names = record.samples.flatMap((sample) => Object.entries(sample.written ?? {}).filter(([, atMs]) => atMs >= 0 && atMs < end));
  const parts = names.sort((a, b) => a[1] - b[1]).map(([name]) => longestWithoutDigits(name));
  return [...new Set(parts)].filter((p) => p.length >= 3);
}

const longestWithoutDigits = (name: string): string => name.split(/\d+/).reduce((a, b) => (b.length > a.length ? b : a), '');

/** The longest run of words without digits in a line (at most 60 characters): what an anchor looks for in it. */
export function anchorText(line: string): string {
  let best = '';
  let run: string[] = [];
  for (const word of [...line.trim().split(/\s+/), '0']) {
    if (/\d/.test(word)) {
      const text = run.join(' ');
      if (text.length > best.length) best = text;
      run = [];
    } else run.push(word);
  }
  return best.slice(0, 60);
}

/** When the schedule first touched the target (an event aimed at it took effect), it began to stop, or it exited. */
export function lifeEnd(record: TrialRecord): number {
  const touched = record.events
    .filter((e) => e.deliveredMs !== undefined && serviceOf(e) === undefined) // events aimed at a dependency leave it alone
    .map((e) => e.deliveredMs!);
  const stopped = record.stop?.steps[0]?.atMs;
  return Math.min(record.exit.atMs, ...touched, ...(stopped !== undefined ? [stopped] : []));
}

/** The first time of each kind, in the order given (kinds seen before readiness count from then, so they are not new). */
function firstTimes(kinds: Iterable<[string, number]>): Map<string, number> {
  const first = new Map<string, number>();
  for (const [what, atMs] of kinds) if (!first.has(what) || atMs < first.get(what)!) first.set(what, atMs);
  return first;
}

/** Digits, hex ids and quoted values blurred: `worker 3 flushed 1204 rows` and `worker 1 flushed 9 rows` are one kind. */
export const logKind = (text: string): string =>
  text
    .replace(/\b0x[0-9a-f]+\b/gi, '#')
    .replace(/[0-9a-f]*\d[0-9a-f]*/gi, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);

function* logKinds(record: TrialRecord): Generator<[string, number]> {
  if (record.logs.length >= LOG_LINES_KEPT) return;
  for (const line of record.logs) {
    const kind = logKind(line.text);
    if (kind) yield [`log "${kind}"`, line.atMs];
  }
}

/** New process names among the target's processes, and new files (not sockets, pipes or anonymous inodes) its main process holds. */
function* sampleKinds(record: TrialRecord): Generator<[string, number]> {
  for (const sample of record.samples) {
    for (const p of sample.processes) {
      yield [`process ${p.comm}`, sample.atMs];
      // blurred like log lines: each trial's own data directory (/tmp/sigstorm-data-<run id>/) is one path, not a new one
      for (const target of Object.keys(p.fdTargets ?? {})) if (target.startsWith('/')) yield [`file ${logKind(target)}`, sample.atMs];
    }
  }
}

/**
 * Files of the data directory by when each was written (its mtime, dated to the ms): a snapshot rewritten every 2 s
 * is new when first written after readiness, at the instant of the write. Names are blurred like log lines, so
 * `segment-7` and `segment-8` are one kind. A file written before readiness and never after is not new.
 */
function* writtenKinds(record: TrialRecord): Generator<[string, number]> {
  for (const sample of record.samples) {
    for (const [name, atMs] of Object.entries(sample.written ?? {})) yield [`file ${logKind(name)} written`, atMs];
  }
}

/** A request path that failed, or answered over 5× slower than its median (and by 100 ms or more): the target was busy. */
function* requestKinds(record: TrialRecord): Generator<[string, number]> {
  const requests = record.ledger.filter((e) => e.kind === 'request');
  const medians = new Map<string, number>();
  for (const path of new Set(requests.map((e) => e.path))) {
    const took = requests.filter((e) => e.path === path && e.outcome === 'ok').map((e) => e.endMs - e.sentMs).sort((a, b) => a - b);
    if (took.length) medians.set(path, took[Math.floor(took.length / 2)]!);
  }
  for (const e of requests) {
    if (e.outcome !== 'ok') yield [`request ${e.path} ${e.outcome}`, e.endMs];
    const median = medians.get(e.path);
    const took = e.endMs - e.sentMs;
    if (e.outcome === 'ok' && median !== undefined && took >= 100 && took > 5 * median) yield [`request ${e.path} stalled`, e.sentMs + 5 * median];
  }
}
