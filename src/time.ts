import { performance } from 'node:perf_hooks';

/** The one monotonic clock of a trial, in milliseconds. Wall clocks jump; this one does not. */
export const now = (): number => performance.now();

/**
 * The kernel's CLOCK_MONOTONIC in ms at `now()`'s zero: add it to relate trial times to other processes' clocks.
 * The tightest of a few paired reads: one pair split by a preemption (a busy machine) skews every time after it.
 */
export const monotonicOffsetMs = (): number => {
  let best = Number.POSITIVE_INFINITY;
  let offset = 0;
  for (let i = 0; i < 20; i++) {
    const before = process.hrtime.bigint();
    const at = performance.now();
    const after = process.hrtime.bigint();
    if (Number(after - before) < best) [best, offset] = [Number(after - before), Number(before + after) / 2e6 - at];
  }
  return offset;
};

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/** Sleeps until `ms` on this clock: timers may fire a fraction of a millisecond early, so it never returns before. */
export async function sleepUntil(ms: number, signal?: AbortSignal): Promise<void> {
  while (now() < ms && !signal?.aborted) await sleep(ms - now(), signal);
}

/**
 * `promise`, or undefined once `ms` have passed (never sooner: a deadline waited for is a deadline kept) or on
 * `abort`, whichever comes first. Its timer never outlives it.
 */
export async function within<T>(promise: Promise<T>, ms: number, abort?: AbortSignal): Promise<T | undefined> {
  const done = new AbortController();
  const onAbort = () => done.abort();
  abort?.addEventListener('abort', onAbort, { once: true });
  if (abort?.aborted) done.abort();
  try {
    return await Promise.race([promise, sleepUntil(now() + ms, done.signal).then(() => undefined)]);
  } finally {
    done.abort();
    abort?.removeEventListener('abort', onAbort);
  }
}

/**
 * A signal of its own that aborts when `parent` does: however many waits listen to it, `parent` gets one listener,
 * which `dispose` removes (a campaign's trials in flight share one parent signal).
 */
export function linkedSignal(parent: AbortSignal | undefined): { signal: AbortSignal; dispose: () => void } {
  const own = new AbortController();
  const onAbort = () => own.abort();
  if (parent?.aborted) own.abort();
  else parent?.addEventListener('abort', onAbort, { once: true });
  return { signal: own.signal, dispose: () => parent?.removeEventListener('abort', onAbort) };
}

/** The longest duration sigstorm accepts: Node's timers fire at once beyond 2^31 - 1 ms (about 24.8 days). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * "1.5s", "500ms", "2m", "1m30s" (docker-compose style) or a plain number of milliseconds; undefined for anything
 * else, including negative, non-finite and longer than MAX_DURATION_MS.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 && value <= MAX_DURATION_MS ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * UNITS[unit!]!;
  return Number.isFinite(total) && total <= MAX_DURATION_MS ? total : undefined;
}

/** "+120 ms", or "-80 ms" (before the origin, e.g. readiness). */
export const signedMs = (ms: number): string => `${ms < 0 ? '' : '+'}${Math.round(ms)} ms`;

export const formatMs = (ms: number): string => (Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
