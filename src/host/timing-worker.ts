/** One shot of a plan as the worker gets it: the instant on CLOCK_MONOTONIC (ms), and what kill(2) is given. */
export interface WorkerShot {
  atMs: number;
  signals: string[];
  kill: number[];
}

/** What the worker posts back once a plan is over: each signal sent, with the instant just before its kill(2). */
export interface WorkerResult {
  id: number;
  sent: { signal: string; atMs: number }[];
  /** A recipient was gone (ESRCH): the shots after it were not sent. */
  gone?: true;
  /** kill(2) failed otherwise (EPERM, …). */
  error?: string;
  /** Cancelled before all of its shots were sent. */
  cancelled?: true;
}

/**
 * The body of the timing thread, run by `new Worker(…, { eval: true })`, so it must stand alone: no imports, no
 * closure. It takes plans from its port without returning to an event loop (receiveMessageOnPort), sleeps on the
 * control word with Atomics.wait until `spinMs` before the earliest shot (a new plan rings the word and wakes it),
 * spins the rest on the monotonic clock, and sends each signal of the shot back to back. Results are posted after
 * the fact; nothing else runs between the spin and the kills.
 */
export function timingWorker(): void {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  type Port = import('node:worker_threads').MessagePort;
  const { port, control, spinMs, watchPort } = threads.workerData as { port: Port; control: SharedArrayBuffer; spinMs: number; watchPort?: Port };
  const ports = watchPort ? [port, watchPort] : [port]; // the watch thread releases held plans (src/host/watch-worker.ts)
  // This thread alone (its tid) under SCHED_FIFO: on a loaded machine the kernel then wakes it on time, where a
  // nice value only counts within its own cgroup (measured: wake-up p99 2 ms → 0.1–0.2 ms). Root only; else as is.
  try {
    const tid = (require('node:fs') as typeof import('node:fs')).readlinkSync('/proc/thread-self').split('/').pop()!;
    (require('node:child_process') as typeof import('node:child_process')).execFileSync('chrt', ['--fifo', '--pid', '1', tid], { stdio: 'ignore' });
  } catch {
    // not root, or no chrt: the default scheduling, less precise under load
  }
  const word = new Int32Array(control); // [0] rings on every message, [1] set when the process exits
  // performance.now() allocates nothing (a spin on hrtime.bigint() makes garbage); its origin is this thread's own.
  const { performance } = require('node:perf_hooks') as typeof import('node:perf_hooks');
  // The tightest of a few paired reads (as monotonicOffsetMs): a pair split by a preemption would skew every shot.
  let base = 0;
  for (let i = 0, best = Number.POSITIVE_INFINITY; i < 20; i++) {
    const before = process.hrtime.bigint();
    const at = performance.now();
    const after = process.hrtime.bigint();
    if (Number(after - before) < best) [best, base] = [Number(after - before), Number(before + after) / 2e6 - at];
  }
  const nowMs = () => performance.now() + base;
  type Plan = { id: number; shots: WorkerShot[]; next: number; result: WorkerResult; held?: true | undefined };
  const plans: Plan[] = [];
  const finish = (plan: Plan) => {
    plans.splice(plans.indexOf(plan), 1);
    port.postMessage(plan.result);
  };
  for (;;) {
    const rung = Atomics.load(word, 0);
    for (const from of ports) {
      for (let m = threads.receiveMessageOnPort(from); m; m = threads.receiveMessageOnPort(from)) {
        const message = m.message as { id: number; shots?: WorkerShot[]; cancel?: true; held?: true; release?: number };
        if (message.shots) plans.push({ id: message.id, shots: message.shots, next: 0, result: { id: message.id, sent: [] }, held: message.held });
        // A held plan's shots are times after its anchor, which the watch thread sends once the write came.
        const held = message.release !== undefined && plans.find((p) => p.id === message.id && p.held);
        if (held) Object.assign(held, { held: undefined, shots: held.shots.map((s) => ({ ...s, atMs: s.atMs + message.release! })) });
        const cancelled = message.cancel && plans.find((p) => p.id === message.id);
        if (cancelled) finish(Object.assign(cancelled, { result: { ...cancelled.result, cancelled: true } }));
      }
    }
    if (Atomics.load(word, 1) !== 0) return;
    let plan: Plan | undefined;
    for (const p of plans) if (!p.held && (!plan || p.shots[p.next]!.atMs < plan.shots[plan.next]!.atMs)) plan = p;
    if (!plan) {
      Atomics.wait(word, 0, rung, 1000);
      continue;
    }
    const shot = plan.shots[plan.next]!;
    const left = shot.atMs - nowMs();
    if (left > spinMs) {
      Atomics.wait(word, 0, rung, left - spinMs);
      continue; // new plans may have come, with an earlier shot
    }
    while (nowMs() < shot.atMs);
    const { result } = plan;
    try {
      for (const signal of shot.signals) {
        const atMs = nowMs();
        for (const pid of shot.kill) process.kill(pid, signal);
        result.sent.push({ signal, atMs });
      }
      plan.next++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') result.gone = true;
      else result.error = (error as Error).message;
      plan.next = plan.shots.length;
    }
    if (plan.next === plan.shots.length) finish(plan);
  }
}
