import type { Redis } from 'ioredis';
import { infrastructure } from '../errors.js';
import type { Workload } from '../scenario/types.js';
import { openLoop, type Drive, type Driver } from './drive.js';
import type { Endpoint } from './http-client.js';
import type { LedgerEntry, Outcome } from './ledger.js';
import { connectRedis, redisOutcome } from './redis.js';

export type JobsSpec = NonNullable<Workload['jobs']>;

/** LPUSHes in flight at most: Redis answers one in well under a millisecond, unless it is frozen or cut off. */
const CONCURRENCY = 16;

/**
 * Jobs for a worker target: an open loop LPUSHes job ids 0, 1, 2… onto the queue in the Redis dependency, on one
 * connection. A job is on the ledger as enqueued (ok) once Redis acknowledged the push; where it went is read back
 * after the trial (trial/jobs.ts).
 */
export function driveJobs(spec: JobsSpec, services: ReadonlyMap<string, Endpoint>, drive: Drive): Driver {
  let redis: Redis | undefined;
  const loop = async () => {
    const endpoint = services.get(spec.redis);
    if (!endpoint) return drive.fail(infrastructure(`workload.jobs: dependency ${spec.redis} has no port sigstorm can reach`));
    try {
      redis = await connectRedis(endpoint);
    } catch (error) {
      return drive.fail(infrastructure(`workload.jobs: ${spec.redis}: ${(error as Error).message}`));
    }
    const client = redis;
    // Whether a command is the first its connection carries (the ledger's `reused`).
    let carried = 0;
    client.on('ready', () => (carried = 0));
    let nextJob = 0;
    await openLoop(spec.rate, CONCURRENCY, drive.stopping, () => {
      const jobId = nextJob++;
      return drive.launch((id) => push(client, spec.queue, { id, jobId, reused: carried++ > 0 }, drive));
    });
  };
  return { loop: loop(), close: () => redis?.disconnect() };
}

/** One LPUSH, and exactly how it ended. Never throws. */
async function push(redis: Redis, queue: string, op: { id: number; jobId: number; reused: boolean }, drive: Drive): Promise<LedgerEntry> {
  const sentMs = drive.now();
  const entry = (outcome: Outcome, error?: string): LedgerEntry => {
    const endMs = drive.now();
    // A Redis reply arrives whole: its first byte is its end.
    const answered = outcome === 'ok' || outcome === 'wrong-reply';
    return {
      id: op.id,
      kind: 'job',
      protocol: 'redis',
      method: 'LPUSH',
      path: queue,
      connection: 'keep-alive',
      reused: op.reused,
      sentMs,
      ...(answered ? { firstByteMs: endMs } : {}),
      endMs,
      outcome,
      bytes: 0,
      ...(error ? { error } : {}),
      jobId: op.jobId,
    };
  };
  let onEnd!: () => void;
  // Still unanswered when the trial was over: indeterminate, never counted as enqueued.
  const ended = new Promise<LedgerEntry>((resolve) => (onEnd = () => resolve(entry('timeout', 'unfinished when the trial ended'))));
  drive.ending.addEventListener('abort', onEnd, { once: true });
  try {
    return await Promise.race([redis.lpush(queue, String(op.jobId)).then(() => entry('ok')), ended]);
  } catch (error) {
    return entry(redisOutcome(error as Error), (error as Error).message);
  } finally {
    drive.ending.removeEventListener('abort', onEnd);
  }
}
