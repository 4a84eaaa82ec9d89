import type { LogLine } from '../backends/logs.js';
import { FILE_BURST_MS, isFileAnchor, isLineAnchor, type Anchor, type FileAnchor, type LineAnchor, type RequestAnchor } from '../schedule/event.js';
import { now } from '../time.js';
import type { RequestPhase } from '../workload/phases.js';

/** The target's output as it is read: the lines so far, and each next one. */
export interface LineFeed {
  readonly lines: readonly LogLine[];
  onLine(listener: (line: LogLine) => void): () => void;
  /** The same output read by the watch thread too (src/host/timing-thread.ts): signals timed from a line go from there. */
  readonly thread?: number | undefined;
}

/** The workload's request phases as they happen (workload/phases.ts): those so far, and each next one. */
export interface RequestFeed {
  readonly phases: readonly RequestPhase[];
  onPhase(listener: (phase: RequestPhase) => void): () => void;
}

/** A change the kernel reported to a file of the target's data directory (trial/file-watch.ts). */
export interface FileChange {
  /** Monotonic ms, when it was read. */
  atMs: number;
  /** The file's name in the directory. */
  name: string;
}

/** The changes to the data directory's files as they are reported: those so far, and each next one. */
export interface FileFeed {
  readonly changes: readonly FileChange[];
  onChange(listener: (change: FileChange) => void): () => void;
  /** The same directory watched by the watch thread too (src/host/timing-thread.ts): signals timed from a write go from there. */
  readonly thread?: number | undefined;
}

/** What an anchored event may be timed from. */
export interface AnchorFeeds {
  lines?: LineFeed | undefined;
  requests?: RequestFeed | undefined;
  files?: FileFeed | undefined;
}

/** When an anchor's line or request phase came (monotonic ms), and which request it was. */
export interface Arrival {
  atMs: number;
  request?: RequestPhase;
}

/**
 * When (on the trial clock, ms) the anchor's line or request phase came at `fromMs` or later; undefined when none
 * came by `untilMs` (or there is nothing to wait on), or `abort` came first. What came before the wait began counts too.
 */
export function arrival(feeds: AnchorFeeds, anchor: Anchor, fromMs: number, untilMs: number, abort: AbortSignal): Promise<Arrival | undefined> {
  if (isLineAnchor(anchor)) {
    return feeds.lines ? waitFor(feeds.lines.lines, (l) => feeds.lines!.onLine(l), lineMatch(anchor, fromMs), untilMs, abort).then((l) => l && { atMs: l.atMs }) : Promise.resolve(undefined);
  }
  if (isFileAnchor(anchor)) {
    const { files } = feeds;
    return files ? waitFor(files.changes, (l) => files.onChange(l), writeMatch(anchor, fromMs), untilMs, abort).then((c) => c && { atMs: c.atMs }) : Promise.resolve(undefined);
  }
  if (!feeds.requests) return Promise.resolve(undefined);
  const { requests } = feeds;
  return waitFor(requests.phases, (l) => requests.onPhase(l), requestMatch(anchor, fromMs), untilMs, abort).then((p) => p && { atMs: p.atMs, request: p });
}

/** The `nth` line holding `anchor.log` read at `fromMs` or later. */
export function lineMatch(anchor: LineAnchor, fromMs: number): (line: LogLine) => boolean {
  let seen = 0;
  return (line) => line.atMs >= fromMs && line.text.includes(anchor.log) && ++seen === anchor.nth;
}

/**
 * The first change of the `nth` write of a file whose name holds `anchor.file`, at `fromMs` or later: a change to a
 * matching file less than FILE_BURST_MS after the one before belongs to the same write (a temporary file created,
 * written and renamed over the old one is one write).
 */
export function writeMatch(anchor: FileAnchor, fromMs: number): (change: FileChange) => boolean {
  let seen = 0;
  let last = -Infinity;
  return (change) => {
    if (change.atMs < fromMs || !change.name.includes(anchor.file)) return false;
    const starts = change.atMs - last >= FILE_BURST_MS;
    last = change.atMs;
    return starts && ++seen === anchor.nth;
  };
}

/** The anchor's phase of the `request`th request (to its path, the query string aside) sent at `fromMs` or later. */
function requestMatch(anchor: RequestAnchor, fromMs: number): (phase: RequestPhase) => boolean {
  const counted = new Map<number, number>(); // request id → its number among those counted
  return (p) => {
    if (p.atMs < fromMs || (anchor.path !== undefined && p.path.split('?')[0] !== anchor.path)) return false;
    if (p.phase === 'sent') counted.set(p.id, counted.size + 1);
    return p.phase === anchor.phase && counted.get(p.id) === anchor.request;
  };
}

/** The first of `so far` and then of what comes that `matches`, by `untilMs` (monotonic). */
function waitFor<T>(soFar: readonly T[], subscribe: (listener: (item: T) => void) => () => void, matches: (item: T) => boolean, untilMs: number, abort: AbortSignal): Promise<T | undefined> {
  const earlier = soFar.find(matches);
  if (earlier) return Promise.resolve(earlier);
  if (abort.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const done = (item: T | undefined) => {
      unsubscribe();
      clearTimeout(timer);
      abort.removeEventListener('abort', aborted);
      resolve(item);
    };
    const unsubscribe = subscribe((item) => {
      if (matches(item)) done(item);
    });
    const aborted = () => done(undefined);
    const timer = setTimeout(() => done(undefined), Math.max(0, untilMs - now()));
    abort.addEventListener('abort', aborted, { once: true });
  });
}
