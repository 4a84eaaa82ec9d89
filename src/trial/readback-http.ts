import { Agent, request } from 'node:http';
import { now } from '../time.js';

/** Reads in flight at once, how long one may take, and how long all of them may (the rest are then not asked). */
const CONCURRENCY = 8;
const READ_TIMEOUT_MS = 5_000;
const BUDGET_MS = 60_000;

/** What one answer says of a write: a 2xx that it was stored, a 404 that it was not; anything else says nothing. */
export type ReadOutcome = 'stored' | 'missing' | 'unread';

export const readOutcome = (status: number): ReadOutcome =>
  status >= 200 && status < 300 ? 'stored' : status === 404 ? 'missing' : 'unread';

/** The path asked for one id. */
export const readPath = (template: string, id: number): string => template.replaceAll('{id}', String(id));

export interface HttpReadBack {
  stored: number[];
  /** Ids whose read failed or was never made: neither stored nor proven lost. */
  unread: number[];
  /** The first failure, and how many there were. */
  error?: string;
}

/**
 * GETs the path of each id from `endpoint`, a few at a time on kept-alive connections, and sorts the ids by the
 * answers. Never throws: an abort, like any failure, leaves the ids not yet answered unread.
 */
export async function readEach(
  endpoint: { host: string; port: number },
  template: string,
  ids: readonly number[],
  signal?: AbortSignal,
): Promise<HttpReadBack> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const stored: number[] = [];
  const unread: { id: number; why: string }[] = [];
  const deadline = now() + BUDGET_MS;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const why = signal?.aborted ? 'interrupted' : now() > deadline ? `not asked: the read-back took over ${BUDGET_MS / 1000} s` : undefined;
      const answer = why ? { error: why } : await get(endpoint, readPath(template, id), agent, () => signal?.aborted === true);
      const outcome = 'status' in answer ? readOutcome(answer.status) : 'unread';
      if (outcome === 'stored') stored.push(id);
      else if (outcome === 'unread') unread.push({ id, why: 'status' in answer ? `HTTP ${answer.status}` : answer.error });
    }
  };
  // One listener for all the reads (trials read back in parallel on one interrupt signal): an abort ends them all.
  const onAbort = () => agent.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    agent.destroy();
  }
  const byId = (a: number, b: number) => a - b;
  const first = unread.sort((a, b) => a.id - b.id)[0];
  return {
    stored: stored.sort(byId),
    unread: unread.map((u) => u.id),
    ...(first ? { error: `${unread.length} of ${ids.length} reads failed; the first, of id ${first.id}: ${first.why}` } : {}),
  };
}

/** One GET: the status of a complete answer, or why there was none. Never throws. */
function get(endpoint: { host: string; port: number }, path: string, agent: Agent, aborted: () => boolean): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: endpoint.host, port: endpoint.port, path, method: 'GET', agent, timeout: READ_TIMEOUT_MS }, (res) => {
      res.resume();
      // Only a complete answer counts: one cut short says nothing of the write.
      res.on('close', () => resolve(res.complete ? { status: res.statusCode ?? 0 } : { error: 'answer cut short' }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${READ_TIMEOUT_MS / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: aborted() ? 'interrupted' : (e.code ?? e.message) }));
    req.end();
  });
}
