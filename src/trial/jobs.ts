import type { Redis } from 'ioredis';
import type { JobsSpec } from '../workload/jobs.js';
import { connectRedis } from '../workload/redis.js';
import { storedIds } from './files.js';
import { readBackIds, type HttpAsk } from './readback.js';
import type { JobsRecord } from './record.js';
import type { Stack } from './stack.js';

/**
 * Where the jobs went, once the worker is gone and Redis is still up: the ids the `done` read-back finds (once per
 * time a job was done), and those still in the pending lists (the queue by default).
 */
export async function readBackJobs(spec: JobsSpec, dataDir: string, stack: Stack, cwd: string, ask: HttpAsk): Promise<JobsRecord> {
  const done = await readBackIds(spec.done, dataDir, stack, cwd, ask);
  const queued = await pendingIds(spec, stack);
  const errors = [...(done.error ? [`done (${done.file}): ${done.error}`] : []), ...(queued.error ? [queued.error] : [])];
  return { done: done.ids, queued: queued.ids, exactlyOnce: spec.exactly_once, ...(errors.length ? { error: errors.join('; ') } : {}) };
}

/** The job ids in every pending list (LRANGE), in list order. */
async function pendingIds(spec: JobsSpec, stack: Stack): Promise<{ ids: number[]; error?: string }> {
  const lists = spec.pending ?? [spec.queue];
  const where = `queued (${spec.redis}: LRANGE ${lists.join(', ')})`;
  const dependency = stack.dependencies.find((d) => d.spec.name === spec.redis);
  const endpoint = dependency?.started.endpoint;
  if (!endpoint) return { ids: [], error: `${where}: no port to read from` };
  if (dependency.started.mainExit) return { ids: [], error: `${where}: ${spec.redis} had exited` };
  let redis: Redis | undefined;
  try {
    redis = await connectRedis(endpoint);
    const ids: number[] = [];
    for (const list of lists) ids.push(...storedIds((await redis.lrange(list, 0, -1)).join('\n')));
    return { ids };
  } catch (error) {
    return { ids: [], error: `${where}: ${(error as Error).message}` };
  } finally {
    redis?.disconnect();
  }
}
