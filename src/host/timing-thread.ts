import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { SignalName } from '../signals.js';
import { monotonicOffsetMs } from '../time.js';
import { timingWorker, type WorkerResult } from './timing-worker.js';
import { watchWorker, type WatchArm, type WatchNews } from './watch-worker.js';

/**
 * The timing thread sleeps on Atomics.wait until this long before a shot, then spins. Measured here (2 shared
 * cores, SCHED_FIFO), 4 probe trials of 80 signals each: with 1 ms, Atomics.wait sometimes woke past the instant
 * during a trial (lag p99 1.2–10.8 ms); with 3 ms, p99 0.2–2.4 ms, the machine's own floor (bench/floor.mjs: a
 * FIFO thread alone, p99 ~2 ms on this VM); 5 ms did no better. It costs a core for 3 ms per shot only.
 */
export const SPIN_MS = 3;

/** Signals sent back to back at one instant of the trial clock (`now()`), to what kill(2) is given. */
export interface Shot {
  atMs: number;
  signals: readonly SignalName[];
  kill: readonly number[];
}

/** What a plan came to: each signal sent at its instant on the trial clock, and why the rest were not. */
export interface Fired {
  sent: { signal: SignalName; atMs: number }[];
  gone?: true;
  error?: string;
  cancelled?: true;
}

// performance.now() and CLOCK_MONOTONIC differ by a constant: the worker's clock is the kernel's.
const offsetMs = monotonicOffsetMs();

let thread: { worker: Worker; port: MessagePort; word: Int32Array; watcher: Worker; ack: Int32Array } | undefined;
const waiting = new Map<number, (result: WorkerResult) => void>();
const watchNews = new Map<number, (news: WatchNews) => void>();
let nextId = 0;

function start(): NonNullable<typeof thread> {
  const { port1, port2 } = new MessageChannel();
  const between = new MessageChannel(); // the watch thread releases the timing thread's held plans through it
  const word = new Int32Array(new SharedArrayBuffer(8));
  const ack = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(`(${timingWorker.toString()})()`, {
    eval: true,
    workerData: { port: port2, control: word.buffer, spinMs: SPIN_MS, watchPort: between.port2 },
    transferList: [port2, between.port2],
  });
  const watcher = new Worker(`(${watchWorker.toString()})()`, {
    eval: true,
    workerData: { control: word.buffer, ack: ack.buffer, timingPort: between.port1 },
    transferList: [between.port1],
  });
  watcher.on('message', (news: WatchNews) => watchNews.get(news.id)?.(news));
  watcher.on('error', () => {
    for (const [id, done] of watchNews) {
      send({ id, cancel: true }); // its held plan too: nothing will release it now
      done({ id, missed: true });
    }
    watchNews.clear();
  });
  watcher.unref(); // after its listeners (a listener added later refs it again): it holds the process only while armed
  worker.unref();
  port1.on('message', (result: WorkerResult) => {
    waiting.get(result.id)?.(result);
    waiting.delete(result.id);
    if (waiting.size === 0) port1.unref();
  });
  port1.unref();
  worker.on('error', (error) => {
    for (const [id, done] of waiting) done({ id, sent: [], error: `the timing thread failed: ${error.message}` });
    waiting.clear();
    thread = undefined;
  });
  // A thread asleep in Atomics.wait would hold the process at its exit: tell it to end.
  process.once('exit', () => {
    Atomics.store(word, 1, 1);
    Atomics.notify(word, 0);
  });
  return (thread = { worker, port: port1, word, watcher, ack });
}

/** Starts the thread ahead of its first plan (its start-up takes some tens of ms); nothing when it runs already. */
export function startTimingThread(): void {
  thread ??= start();
}

function send(message: object): void {
  const { port, word } = thread ?? start();
  port.postMessage(message);
  Atomics.add(word, 0, 1);
  Atomics.notify(word, 0);
}

/**
 * Sends the shots, each at its instant, from the timing thread (started on first use, one per process). Resolves
 * once the last is sent, a recipient is gone, or `abort` cancels the shots not yet sent. A shot whose instant has
 * passed goes at once. The thread never keeps the process alive while it has nothing to send.
 */
export function fireAt(shots: readonly Shot[], abort?: AbortSignal): Promise<Fired> {
  const id = nextId++;
  const fired = new Promise<WorkerResult>((resolve) => waiting.set(id, resolve));
  const shotsOut = shots.map((s) => ({ atMs: s.atMs + offsetMs, signals: [...s.signals], kill: [...s.kill] }));
  send({ id, shots: shotsOut });
  thread!.port.ref();
  const cancel = () => send({ id, cancel: true });
  if (abort?.aborted) cancel();
  else abort?.addEventListener('abort', cancel, { once: true });
  return fired.then(({ sent, gone, error, cancelled }) => {
    abort?.removeEventListener('abort', cancel);
    return {
      sent: sent.map((s) => ({ signal: s.signal as SignalName, atMs: s.atMs - offsetMs })),
      ...(gone ? { gone } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(cancelled ? { cancelled } : {}),
    };
  });
}

/** How long a new watch of the watch thread may take to be set up (the event loop waits, blocked, that long at most). */
const WATCH_SETUP_MS = 200;

/**
 * Watches `dir` (its own files) from the watch thread, for plans armed on its writes (`fireOnWrite`). Blocks until
 * the watch is set up, so a write right after this returns counts; its id, or undefined when it could not be set up
 * in WATCH_SETUP_MS (the directory gone, no inotify watches left, the thread slow to start).
 */
export function watchOnThread(dir: string): number | undefined {
  const { watcher, ack } = thread ?? start();
  const id = nextId++;
  const [done, failed] = [Atomics.load(ack, 0), Atomics.load(ack, 1)];
  watcher.postMessage({ watch: id, dir });
  const deadline = performance.now() + WATCH_SETUP_MS;
  while (Atomics.load(ack, 0) === done && performance.now() < deadline) Atomics.wait(ack, 0, done, Math.max(1, deadline - performance.now()));
  if (Atomics.load(ack, 0) !== done && Atomics.load(ack, 1) === failed) return id;
  unwatchOnThread(id);
  return undefined;
}

export function unwatchOnThread(id: number): void {
  thread?.watcher.postMessage({ unwatch: id });
}

/** A write a plan waits for: the `nth` of a file whose name holds `file`, writes less than `burstMs` apart being one. */
export interface WriteAwaited {
  watch: number;
  file: string;
  nth: number;
  burstMs: number;
}

/**
 * Sends the shots (their `atMs` counted from the write) once the write awaited comes between `fromMs` and `untilMs`
 * (trial clock): the watch thread that reads it releases the plan in the timing thread, with no event loop between.
 * Resolves as `fireAt` does, with when the write came (`anchorMs`), or `missed` when it did not.
 */
export function fireOnWrite(
  write: WriteAwaited,
  window: { fromMs: number; untilMs: number },
  shots: readonly Shot[],
  abort?: AbortSignal,
  onAnchor?: (anchorMs: number) => void,
): Promise<Fired & { anchorMs?: number; missed?: true }> {
  const id = nextId++;
  const fired = new Promise<WorkerResult>((resolve) => waiting.set(id, resolve));
  const news = new Promise<WatchNews>((resolve) => watchNews.set(id, resolve));
  void news.then((n) => n.anchorMs !== undefined && onAnchor?.(n.anchorMs - offsetMs));
  send({ id, held: true, shots: shots.map((s) => ({ atMs: s.atMs, signals: [...s.signals], kill: [...s.kill] })) });
  thread!.port.ref();
  const arm: WatchArm = { arm: id, ...write, fromMs: window.fromMs + offsetMs, untilMs: window.untilMs + offsetMs };
  thread!.watcher.ref();
  thread!.watcher.postMessage(arm);
  const cancel = () => thread?.watcher.postMessage({ disarm: id });
  if (abort?.aborted) cancel();
  else abort?.addEventListener('abort', cancel, { once: true });
  return Promise.all([fired, news]).then(([{ sent, gone, error, cancelled }, { anchorMs, missed }]) => {
    abort?.removeEventListener('abort', cancel);
    watchNews.delete(id);
    if (watchNews.size === 0) thread?.watcher.unref();
    return {
      sent: sent.map((s) => ({ signal: s.signal as SignalName, atMs: s.atMs - offsetMs })),
      ...(anchorMs !== undefined ? { anchorMs: anchorMs - offsetMs } : {}),
      ...(missed ? { missed } : {}),
      ...(gone ? { gone } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(cancelled && !missed ? { cancelled } : {}),
    };
  });
}
