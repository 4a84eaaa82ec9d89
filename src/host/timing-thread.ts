import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { SignalName } from '../signals.js';
import { monotonicOffsetMs } from '../time.js';
import { socketWatches } from './socket-watch-worker.js';
import { timingWorker, type WorkerResult, type WorkerSnapshot, type WorkerWatch } from './timing-worker.js';

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

let thread: { worker: Worker; port: MessagePort; word: Int32Array } | undefined;
const waiting = new Map<number, (result: WorkerResult) => void>();
const watching = new Map<number, (result: WorkerResult) => void>();
let nextId = 0;

function start(): NonNullable<typeof thread> {
  const { port1, port2 } = new MessageChannel();
  const word = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(`(${timingWorker.toString()})(${socketWatches.toString()})`, {
    eval: true,
    workerData: { port: port2, control: word.buffer, spinMs: SPIN_MS },
    transferList: [port2],
  });
  worker.unref();
  port1.on('message', (result: WorkerResult) => {
    const waits = result.snapshots ? watching : waiting;
    waits.get(result.id)?.(result);
    waits.delete(result.id);
    if (waiting.size === 0 && watching.size === 0) port1.unref();
  });
  port1.unref();
  worker.on('error', (error) => {
    for (const [id, done] of waiting) done({ id, sent: [], error: `the timing thread failed: ${error.message}` });
    for (const [id, done] of watching) done({ id, sent: [], snapshots: [{ atMs: 0, at: 'tick', error: `the timing thread failed: ${error.message}` }] });
    waiting.clear();
    watching.clear();
    thread = undefined;
  });
  // A thread asleep in Atomics.wait would hold the process at its exit: tell it to end.
  process.once('exit', () => {
    Atomics.store(word, 1, 1);
    Atomics.notify(word, 0);
  });
  return (thread = { worker, port: port1, word });
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
export function fireAt(shots: readonly Shot[], abort?: AbortSignal, watch?: SocketWatch): Promise<Fired> {
  const id = nextId++;
  const fired = new Promise<WorkerResult>((resolve) => waiting.set(id, resolve));
  const shotsOut = shots.map((s) => ({ atMs: s.atMs + offsetMs, signals: [...s.signals], kill: [...s.kill] }));
  if (watch) watchFor(id, watch);
  send({ id, shots: shotsOut, ...(watch ? { watch: watch.spec } : {}) });
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

/**
 * A watch of the target's TCP sockets around a plan's first shot (see WorkerWatch), its reads handed to `done` once
 * it is over (the target gone, its reads spent, or `end` aborted); times on the trial clock.
 */
export interface SocketWatch {
  spec: WorkerWatch;
  end: AbortSignal;
  done: (snapshots: WorkerSnapshot[]) => void;
}

function watchFor(id: number, { end, done }: SocketWatch): void {
  const ended = () => send({ id, endWatch: true });
  watching.set(id, ({ snapshots }) => {
    end.removeEventListener('abort', ended);
    done(snapshots!.map((s) => ({ ...s, atMs: s.atMs - offsetMs })));
  });
  if (end.aborted) queueMicrotask(ended);
  else end.addEventListener('abort', ended, { once: true });
}
