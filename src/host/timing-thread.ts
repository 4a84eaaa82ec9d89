import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { SignalName } from '../signals.js';
import { monotonicOffsetMs } from '../time.js';
import { timingWorker, type WorkerResult } from './timing-worker.js';

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
let nextId = 0;

function start(): NonNullable<typeof thread> {
  const { port1, port2 } = new MessageChannel();
  const word = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(`(${timingWorker.toString()})()`, {
    eval: true,
    workerData: { port: port2, control: word.buffer, spinMs: SPIN_MS },
    transferList: [port2],
  });
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
