import { Worker } from 'node:worker_threads';
import { monotonicOffsetMs } from '../time.js';
import { socketReader } from './socket-reader-worker.js';
import { socketWatches, tableFiles, type WorkerSnapshot, type WorkerWatch } from './socket-watch-worker.js';

// performance.now() and CLOCK_MONOTONIC differ by a constant: the reader's clock is the kernel's.
const offsetMs = monotonicOffsetMs();

let reader: Worker | undefined;
const waiting = new Map<number, (snapshots: WorkerSnapshot[]) => void>();
let nextId = 0;

function start(): Worker {
  const worker = new Worker(`(${socketReader.toString()})(${socketWatches.toString()}, ${tableFiles.toString()})`, { eval: true });
  worker.on('message', ({ id, snapshots }: { id: number; snapshots: WorkerSnapshot[] }) => {
    waiting.get(id)?.(snapshots);
    waiting.delete(id);
    if (waiting.size === 0) worker.unref();
  });
  worker.on('error', (error) => {
    for (const done of waiting.values()) done([{ atMs: 0, at: 'tick', error: `the socket reader failed: ${error.message}` }]);
    waiting.clear();
    reader = undefined;
  });
  worker.unref();
  return (reader = worker);
}

/** Starts the reader thread ahead of its first watch (its start-up takes some tens of ms); nothing when it runs. */
export function startSocketReader(): void {
  reader ??= start();
}

/**
 * Reads the target's TCP table around a signal at `atMs` (the trial clock), from a thread of its own (see
 * socketReader): resolves with the reads, times on the trial clock, once the watch is over (the target gone, its
 * reads spent, or `end` aborted).
 */
export function watchSockets(spec: WorkerWatch, atMs: number, end: AbortSignal): Promise<WorkerSnapshot[]> {
  const worker = reader ?? start();
  const id = nextId++;
  const ended = () => worker.postMessage({ id, end: true });
  const read = new Promise<WorkerSnapshot[]>((resolve) =>
    waiting.set(id, (snapshots) => {
      end.removeEventListener('abort', ended);
      resolve(snapshots.map((s) => ({ ...s, atMs: s.atMs - offsetMs, ...(s.doneMs !== undefined ? { doneMs: s.doneMs - offsetMs } : {}) })));
    }),
  );
  worker.ref();
  worker.postMessage({ id, watch: spec, atMs: atMs + offsetMs });
  if (end.aborted) ended();
  else end.addEventListener('abort', ended, { once: true });
  return read;
}
