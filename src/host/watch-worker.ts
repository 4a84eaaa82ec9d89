// The watch thread: under SCHED_FIFO it reads the data directories' changes (inotify, through fs.watch) and the
// targets' output (sockets given to them as stdout and stderr), counts the writes and lines an armed plan waits for,
// and releases that plan in the timing thread the moment its write or line comes, without the event loop in between.
// Measured with bench/watch-lag.mjs (2026-12-07, load average 3–5): a write read p90 1.5–51 ms late by the event
// loop, 0.3 ms by such a thread; a signal timed a few ms after a write or a line went that much late with it.

/** What a plan armed in the watch thread waits for: the `nth` write of a file named like `file`, or line holding `log`. */
export type WatchedFor = { watch: number; file: string; nth: number; /** Writes less than this apart are one (FILE_BURST_MS). */ burstMs: number } | { output: number; log: string; nth: number };

/** A plan armed on a write or a line: the timing thread holds plan `arm` until it comes. */
export type WatchArm = WatchedFor & {
  arm: number;
  /** On CLOCK_MONOTONIC (ms): writes and lines from `fromMs` count; at `untilMs` the plan is cancelled (none came). */
  fromMs: number;
  untilMs: number;
};

/** What the watch thread posts to the event loop: when plan `id`'s write or line came (CLOCK_MONOTONIC ms), or that it never did. */
export interface WatchNews {
  id: number;
  anchorMs?: number;
  missed?: true;
}

/** Output of target `output` the watch thread read, and when (CLOCK_MONOTONIC ms). */
export interface OutputNews {
  output: number;
  stream: 'stdout' | 'stderr';
  text: string;
  atMs: number;
}

/** A target's lines as the watch thread read them, by output id. */
type Outputs = Map<number, { text: string; atMs: number }[]>;

/**
 * Part of the watch thread's body (no imports, no closure; the thread's script defines it as `readOutput`): reads one
 * stream of a target from `socket`, whose first line is `<output> <stream>`; posts each chunk to `parent` as
 * `OutputNews`, keeps its first `limit` lines in `outputs` (split as src/backends/logs.ts splits them) and calls
 * `linesRead` after each chunk that ended a line.
 */
export function readStream(
  socket: import('node:net').Socket,
  parent: import('node:worker_threads').MessagePort,
  outputs: Outputs,
  limit: number,
  linesRead: (output: number) => void,
): void {
  const ms = () => Number(process.hrtime.bigint()) / 1e6;
  let [output, stream, partial] = [-1, 'stdout' as 'stdout' | 'stderr', ''];
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const atMs = ms();
    if (output < 0) {
      const header = (partial += chunk).indexOf('\n');
      if (header < 0) return;
      const [id, name] = partial.slice(0, header).split(' ');
      [output, stream, chunk, partial] = [Number(id), name === 'stderr' ? 'stderr' : 'stdout', partial.slice(header + 1), ''];
      if (!outputs.has(output)) outputs.set(output, []);
      if (chunk === '') return;
    }
    parent.postMessage({ output, stream, text: chunk, atMs });
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    const lines = outputs.get(output); // none once forgotten: a leftover of the target may still write
    if (!lines) return;
    for (const part of parts) if (lines.length < limit) lines.push({ text: part.replace(/\r$/, ''), atMs });
    if (parts.length) linesRead(output);
  });
  socket.on('error', () => socket.destroy());
}

/**
 * Part of the watch thread's body (no imports, no closure; defined there as `cameAt`): when the write or line `arm`
 * waits for came, among `seen` (a directory's changes or a target's lines, as read), or undefined if it has not.
 */
export function firstCame(arm: WatchArm, seen: readonly { atMs: number; name?: string; text?: string }[]): number | undefined {
  let [count, last] = [0, -Infinity];
  for (const c of seen) {
    if (c.atMs < arm.fromMs) continue;
    if ('output' in arm) {
      if (c.text!.includes(arm.log) && ++count === arm.nth) return c.atMs;
      continue;
    }
    if (!c.name!.includes(arm.file)) continue;
    const starts = c.atMs - last >= arm.burstMs;
    last = c.atMs;
    if (starts && ++count === arm.nth) return c.atMs;
  }
  return undefined;
}

/**
 * The body of the watch thread, run by `new Worker(…, { eval: true })`: no imports, no closure. From its parent it
 * takes `{watch, dir}` (watch a directory: word[0] of `ack` rings once that is done, word[1] counts failures), `{unwatch}`,
 * `WatchArm` and `{disarm}`; to the timing thread's `timingPort` it posts `{id, release}` (or `{id, cancel}`) and
 * rings the timing thread's control word. It listens at `outputPath` (a Unix socket): a connection's first line is
 * `<output> <stream>`, the rest what the target writes there, posted to the parent as `OutputNews` and split into lines
 * as src/backends/logs.ts splits them. Writes and lines are counted as src/faults/anchor.ts counts them.
 */
export function watchWorker(): void {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const fs = require('node:fs') as typeof import('node:fs');
  const net = require('node:net') as typeof import('node:net');
  // Defined beside it in the thread's script (timing-thread.ts), as this function is.
  const { readOutput, cameAt } = globalThis as unknown as { readOutput: typeof readStream; cameAt: typeof firstCame };
  const { control, ack, timingPort, outputPath } = threads.workerData as {
    control: SharedArrayBuffer;
    ack: SharedArrayBuffer;
    timingPort: import('node:worker_threads').MessagePort;
    outputPath: string;
  };
  try {
    const tid = fs.readlinkSync('/proc/thread-self').split('/').pop()!;
    (require('node:child_process') as typeof import('node:child_process')).execFileSync('chrt', ['--fifo', '--pid', '1', tid], { stdio: 'ignore' });
  } catch {
    // not root, or no chrt: the default scheduling
  }
  type Armed = WatchArm & { timer: ReturnType<typeof setTimeout> };
  const LIMIT = 20_000; // changes or lines kept per directory or target: a chatty one cannot exhaust memory
  const [timingWord, ackWord] = [new Int32Array(control), new Int32Array(ack)];
  const ms = () => Number(process.hrtime.bigint()) / 1e6;
  const watches = new Map<number, { watcher: import('node:fs').FSWatcher; changes: { name: string; atMs: number }[] }>();
  const outputs: Outputs = new Map();
  const arms = new Map<number, Armed>();
  const parent = threads.parentPort!;
  const toTiming = (message: object) => {
    timingPort.postMessage(message);
    Atomics.add(timingWord, 0, 1);
    Atomics.notify(timingWord, 0);
  };
  const settle = (arm: Armed, anchorMs: number | undefined) => {
    arms.delete(arm.arm);
    clearTimeout(arm.timer);
    toTiming(anchorMs === undefined ? { id: arm.arm, cancel: true } : { id: arm.arm, release: anchorMs });
    parent.postMessage(anchorMs === undefined ? { id: arm.arm, missed: true } : { id: arm.arm, anchorMs });
  };
  const check = (arm: Armed) => {
    const at = cameAt(arm, 'output' in arm ? (outputs.get(arm.output) ?? []) : (watches.get(arm.watch)?.changes ?? []));
    if (at !== undefined) settle(arm, at);
  };
  const linesRead = (output: number) => {
    for (const arm of arms.values()) if ('output' in arm && arm.output === output) check(arm);
  };
  net
    .createServer((socket) => readOutput(socket, parent, outputs, LIMIT, linesRead))
    .on('error', () => parent.postMessage({ listening: false }))
    .listen(outputPath, () => parent.postMessage({ listening: true }))
    .unref();
  parent.on('message', (m: Partial<WatchArm> & { watch?: number; dir?: string; unwatch?: number; disarm?: number; forget?: number }) => {
    if (m.dir !== undefined) {
      try {
        const changes: { name: string; atMs: number }[] = [];
        const watcher = fs.watch(m.dir, (_kind, name) => {
          if (!name || changes.length >= LIMIT) return;
          changes.push({ name: String(name), atMs: ms() });
          for (const arm of arms.values()) if ('watch' in arm && arm.watch === m.watch) check(arm);
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
    } else if (m.forget !== undefined) {
      outputs.delete(m.forget);
    } else if (m.disarm !== undefined) {
      const arm = arms.get(m.disarm);
      if (arm) settle(arm, undefined);
    } else if (m.arm !== undefined) {
      const arm = { ...(m as WatchArm), timer: setTimeout(() => settle(arm, undefined), Math.max(0, m.untilMs! - ms())) } as Armed;
      arms.set(arm.arm, arm);
      check(arm); // a write or line that came before the plan was armed counts too
    }
  });
}
