// The watch thread: it reads the data directories' changes (inotify, through fs.watch) under SCHED_FIFO, counts the
// writes an armed plan waits for, and releases that plan in the timing thread the moment its write comes, without the
// event loop in between. Measured with bench/watch-lag.mjs (2026-12-07, load average 3–5): a write read p90 1.5–51 ms
// late by the event loop, 0.3 ms by such a thread; a signal timed a few ms after a write went that much late with it.

/** A plan armed on a write: the timing thread holds plan `id` until the `nth` write of a file named like `file`. */
export interface WatchArm {
  arm: number;
  watch: number;
  file: string;
  nth: number;
  /** Writes less than this apart are one (FILE_BURST_MS). */
  burstMs: number;
  /** On CLOCK_MONOTONIC (ms): writes from `fromMs` count; at `untilMs` the plan is cancelled (the write never came). */
  fromMs: number;
  untilMs: number;
}

/** What the watch thread posts to the event loop: when plan `id`'s write came (CLOCK_MONOTONIC ms), or that it never did. */
export interface WatchNews {
  id: number;
  anchorMs?: number;
  missed?: true;
}

/**
 * The body of the watch thread, run by `new Worker(…, { eval: true })`: no imports, no closure. From its parent it
 * takes `{watch, dir}` (watch a directory: word[0] of `ack` rings once that is done, word[1] counts failures), `{unwatch}`,
 * `WatchArm` and `{disarm}`; to the timing thread's `timingPort` it posts `{id, release}` (or `{id, cancel}`) and
 * rings the timing thread's control word. A write is counted as src/faults/anchor.ts's writeMatch counts it.
 */
export function watchWorker(): void {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const fs = require('node:fs') as typeof import('node:fs');
  const { control, ack, timingPort } = threads.workerData as { control: SharedArrayBuffer; ack: SharedArrayBuffer; timingPort: import('node:worker_threads').MessagePort };
  try {
    const tid = fs.readlinkSync('/proc/thread-self').split('/').pop()!;
    (require('node:child_process') as typeof import('node:child_process')).execFileSync('chrt', ['--fifo', '--pid', '1', tid], { stdio: 'ignore' });
  } catch {
    // not root, or no chrt: the default scheduling
  }
  const [timingWord, ackWord] = [new Int32Array(control), new Int32Array(ack)];
  const ms = () => Number(process.hrtime.bigint()) / 1e6;
  const watches = new Map<number, { watcher: import('node:fs').FSWatcher; changes: { name: string; atMs: number }[] }>();
  const arms = new Map<number, WatchArm & { timer: ReturnType<typeof setTimeout> }>();
  const parent = threads.parentPort!;
  const toTiming = (message: object) => {
    timingPort.postMessage(message);
    Atomics.add(timingWord, 0, 1);
    Atomics.notify(timingWord, 0);
  };
  const settle = (arm: WatchArm & { timer: ReturnType<typeof setTimeout> }, anchorMs: number | undefined) => {
    arms.delete(arm.arm);
    clearTimeout(arm.timer);
    toTiming(anchorMs === undefined ? { id: arm.arm, cancel: true } : { id: arm.arm, release: anchorMs });
    parent.postMessage(anchorMs === undefined ? { id: arm.arm, missed: true } : { id: arm.arm, anchorMs });
  };
  const check = (arm: WatchArm & { timer: ReturnType<typeof setTimeout> }) => {
    let [seen, last] = [0, -Infinity];
    for (const c of watches.get(arm.watch)?.changes ?? []) {
      if (c.atMs < arm.fromMs || !c.name.includes(arm.file)) continue;
      const starts = c.atMs - last >= arm.burstMs;
      last = c.atMs;
      if (starts && ++seen === arm.nth) return settle(arm, c.atMs);
    }
  };
  parent.on('message', (m: Partial<WatchArm> & { watch?: number; dir?: string; unwatch?: number; disarm?: number }) => {
    if (m.dir !== undefined) {
      try {
        const changes: { name: string; atMs: number }[] = [];
        const watcher = fs.watch(m.dir, (_kind, name) => {
          if (!name || changes.length >= 20_000) return;
          changes.push({ name: String(name), atMs: ms() });
          for (const arm of arms.values()) if (arm.watch === m.watch) check(arm);
        });
        watcher.on('error', () => watcher.close()); // the directory removed under it
        watches.set(m.watch!, { watcher, changes });
      } catch {
        Atomics.add(ackWord, 1, 1);
      }
      Atomics.add(ackWord, 0, 1);
      Atomics.notify(ackWord, 0);
    } else if (m.unwatch !== undefined) {
      watches.get(m.unwatch)?.watcher.close();
      watches.delete(m.unwatch);
    } else if (m.disarm !== undefined) {
      const arm = arms.get(m.disarm);
      if (arm) settle(arm, undefined);
    } else if (m.arm !== undefined) {
      const arm = { ...(m as WatchArm), timer: setTimeout(() => settle(arm, undefined), Math.max(0, m.untilMs! - ms())) };
      arms.set(arm.arm, arm);
      check(arm); // a write that came before the plan was armed counts too
    }
  });
}
