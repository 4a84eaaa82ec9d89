import type { socketWatches, tableFiles, WorkerWatch } from './socket-watch-worker.js';

/** A watch as the reader thread gets it: its instant (the signal's) on CLOCK_MONOTONIC, in ms. */
export interface ReaderWatch {
  id: number;
  watch?: WorkerWatch;
  atMs?: number;
  end?: true;
}

/**
 * The body of the socket reader thread, run by `new Worker(…, { eval: true })` from its source, like the timing
 * thread's, with `makeWatches` passed in as source too. A thread of its own, at the default priority: a read of a
 * busy host's TCP table can take tens of ms, and the timing thread must never wait for one. For each watch: a first
 * read as it comes (it times the reads), one `leadOf` before the signal's instant, one 1 ms after it, then the ticks.
 */
export function socketReader(makeWatches: typeof socketWatches, makeFiles: typeof tableFiles): void {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
  const watches = makeWatches(nowMs, (id, snapshots) => threads.parentPort!.postMessage({ id, snapshots }), makeFiles());
  let ticking: ReturnType<typeof setTimeout> | undefined;
  const tickLater = () => {
    clearTimeout(ticking);
    const due = watches.nextDue();
    if (Number.isFinite(due)) ticking = setTimeout(() => (watches.tick(), tickLater()), Math.max(0, due - nowMs()));
  };
  threads.parentPort!.on('message', ({ id, watch, atMs, end }: ReaderWatch) => {
    if (end) return void (watches.end(id), tickLater());
    if (!watch || atMs === undefined) return;
    watches.add(id, watch, atMs - nowMs() > 30);
    const before = atMs - watches.leadOf(id) - nowMs();
    if (before > 0) setTimeout(() => watches.before(id, atMs), before);
    else watches.before(id, atMs);
    setTimeout(() => (watches.after(id), tickLater()), Math.max(0, atMs + 1 - nowMs()));
  });
}
