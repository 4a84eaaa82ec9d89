import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { SignalName } from '../signals.js';
import { monotonicOffsetMs } from '../time.js';
import { timingWorker, type WorkerResult } from './timing-worker.js';
import { firstCame, readStream, watchWorker, type WatchedFor, type OutputNews, type WatchArm, type WatchNews } from './watch-worker.js';

/**
 * The timing thread sleeps on Atomics.wait until this long before a shot, then spins. A real-time thread spinning
 * holds a core: on 2 cores the target runs on the other one for as long, and a window that a few ms of the target's
 * own work open moves with it. Measured 2026-12-07 (bench/alternate.mjs, 16 trials a cell, alternated; go-rotate-window
 * +1 ms after its line, transfer-window +5 ms and +5/+9/+12 ms after its second write): spinning 3 ms failed them
 * 10, 10, 14 and 8, 7, 11 of 16 (quiet; two busy loops), 0.3 ms 12, 14, 16 and 14, 15, 16 of 16, its shots sent
 * later than the instant p99 0.4 ms against 3.6 and 9.5 ms (the longer the spin, the more the host's preemptions
 * of the vCPU fall in it). On an idle probe target (bench/timing.mjs) the short spin's p99 is 1.2–5 ms against 0.2
 * ms: an Atomics.wait that wakes late now and then, the price of leaving the target its CPU.
 */
export const SPIN_MS = 0.3;

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

let thread:
  | {
      worker: Worker;
      port: MessagePort;
      word: Int32Array;
      watcher: Worker;
      ack: Int32Array;
      outputPath: string;
      /** Whether the watch thread listens for output; false for good once it failed. */
      listening: Promise<boolean>;
      watcherFailed?: true;
    }
  | undefined;
const waiting = new Map<number, (result: WorkerResult) => void>();
const watchNews = new Map<number, (news: WatchNews) => void>();
const outputs = new Map<number, (news: OutputNews) => void>();
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
  // An abstract Unix socket (Linux): nothing on disk to remove, gone with the process.
  const outputPath = `\0sigstorm-output-${process.pid}-${randomBytes(6).toString('hex')}`;
  const watcher = new Worker(`globalThis.readOutput = ${readStream.toString()};\nglobalThis.cameAt = ${firstCame.toString()};\n(${watchWorker.toString()})()`, {
    eval: true,
    workerData: { control: word.buffer, ack: ack.buffer, timingPort: between.port1, outputPath },
    transferList: [between.port1],
  });
  let listened: (listening: boolean) => void = () => undefined;
  const listening = new Promise<boolean>((resolve) => (listened = resolve));
  watcher.on('message', (news: WatchNews | OutputNews | { listening: boolean }) => {
    if ('listening' in news) listened(news.listening);
    else if ('output' in news) outputs.get(news.output)?.(news);
    else watchNews.get(news.id)?.(news);
  });
  watcher.on('error', () => {
    listened(false);
    if (thread) [thread.watcherFailed, thread.listening] = [true, Promise.resolve(false)];
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
  return (thread = { worker, port: port1, word, watcher, ack, outputPath, listening });
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

/**
 * Sends the shots (their `atMs` counted from what is awaited) once the write or line awaited comes between `fromMs`
 * and `untilMs` (trial clock): the watch thread that reads it releases the plan in the timing thread, with no event
 * loop between. Resolves as `fireAt` does, with when it came (`anchorMs`), or `missed` when it did not.
 */
export function fireOnThread(
  awaited: WatchedFor,
  window: { fromMs: number; untilMs: number },
  shots: readonly Shot[],
  abort?: AbortSignal,
  onAnchor?: (anchorMs: number) => void,
): Promise<Fired & { anchorMs?: number; missed?: true }> {
  if (thread?.watcherFailed) return Promise.resolve({ sent: [], missed: true, error: 'the watch thread failed' });
  const id = nextId++;
  const fired = new Promise<WorkerResult>((resolve) => waiting.set(id, resolve));
  const news = new Promise<WatchNews>((resolve) => watchNews.set(id, resolve));
  void news.then((n) => n.anchorMs !== undefined && onAnchor?.(n.anchorMs - offsetMs));
  send({ id, held: true, shots: shots.map((s) => ({ atMs: s.atMs, signals: [...s.signals], kill: [...s.kill] })) });
  thread!.port.ref();
  const arm: WatchArm = { arm: id, ...awaited, fromMs: window.fromMs + offsetMs, untilMs: window.untilMs + offsetMs };
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

/** How long the watch thread may take to listen for output (its start-up, once per process). */
const LISTEN_MS = 1000;

/** A target's output read by the watch thread: the sockets to give it as stdout and stderr, and the output's id. */
export interface ThreadOutput {
  id: number;
  stdout: Socket;
  stderr: Socket;
  /** Once the target holds them: closes sigstorm's own ends (so the output ends when the target's do). */
  handedOver(): void;
  /** Forgets the output in the thread (its lines, kept there for plans armed on them). */
  forget(): void;
}

/**
 * Two sockets to the watch thread, for a target's stdout and stderr: what the target writes is read there, timed and
 * counted at once for plans armed on a line (`fireOnThread`), and passed on to `sink` (trial clock). Undefined when
 * the thread does not listen: the caller reads the output itself.
 */
export async function outputOnThread(sink: (stream: 'stdout' | 'stderr', text: string, atMs: number) => void): Promise<ThreadOutput | undefined> {
  const { outputPath, listening } = thread ?? start();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, LISTEN_MS, false)));
  const listens = await Promise.race([listening, timeout]);
  clearTimeout(timer);
  if (!listens) return undefined;
  const id = nextId++;
  outputs.set(id, (news) => sink(news.stream, news.text, news.atMs - offsetMs));
  const open = (stream: 'stdout' | 'stderr') =>
    new Promise<Socket | undefined>((resolve) => {
      const socket = connect(outputPath);
      socket.once('error', () => resolve(undefined));
      // The header first: the target writes after it.
      socket.once('connect', () => socket.write(`${id} ${stream}\n`, () => resolve(socket)));
    });
  const [stdout, stderr] = await Promise.all([open('stdout'), open('stderr')]);
  const forget = () => {
    outputs.delete(id);
    thread?.watcher.postMessage({ forget: id });
  };
  if (!stdout || !stderr) {
    stdout?.destroy();
    stderr?.destroy();
    forget();
    return undefined;
  }
  const handedOver = () => [stdout, stderr].forEach((s) => s.destroy());
  return { id, stdout, stderr, handedOver, forget };
}
