import type { LogLine } from '../backends/logs.js';
import type { Anchor } from '../schedule/event.js';
import { now } from '../time.js';

/** The target's output as it is read: the lines so far, and each next one. */
export interface LineFeed {
  readonly lines: readonly LogLine[];
  onLine(listener: (line: LogLine) => void): () => void;
}

/**
 * When (on the trial clock, ms) the `nth` line holding `anchor.log` that was read at `fromMs` or later arrived;
 * undefined when none came by `untilMs`, or `abort` came first. Lines read before the wait began count too.
 */
export function lineArrival(feed: LineFeed, anchor: Anchor, fromMs: number, untilMs: number, abort: AbortSignal): Promise<number | undefined> {
  let seen = 0;
  const matches = (line: LogLine) => line.atMs >= fromMs && line.text.includes(anchor.log) && ++seen === anchor.nth;
  const earlier = feed.lines.find(matches);
  if (earlier) return Promise.resolve(earlier.atMs);
  if (abort.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const done = (atMs: number | undefined) => {
      unsubscribe();
      clearTimeout(timer);
      abort.removeEventListener('abort', aborted);
      resolve(atMs);
    };
    const unsubscribe = feed.onLine((line) => {
      if (matches(line)) done(line.atMs);
    });
    const aborted = () => done(undefined);
    const timer = setTimeout(() => done(undefined), Math.max(0, untilMs - now()));
    abort.addEventListener('abort', aborted, { once: true });
  });
}
