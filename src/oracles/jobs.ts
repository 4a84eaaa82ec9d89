import { firstTerminating } from './terminating.js';
import type { Oracle, OracleResult } from './verdict.js';

/** Ids listed in evidence, at most. */
const EVIDENCE_IDS = 50;

/**
 * Every job the queue acknowledged (LPUSH answered) was done at least once or is still queued once the worker is
 * gone; with `exactly_once`, none was done twice, nor done and still queued. A job whose push was not acknowledged
 * was never promised, but is counted when it was done twice.
 */
export const jobs: Oracle = (record) => {
  const read = record.jobs;
  if (!read) return [];
  const acked = record.ledger.filter((e) => e.kind === 'job' && e.outcome === 'ok' && e.jobId !== undefined);
  if (read.error) {
    return [
      {
        oracle: 'jobs',
        verdict: 'unknown',
        message: `the jobs could not be read back, so ${acked.length} acknowledged jobs were not judged: ${read.error}`,
        evidence: { error: read.error, acknowledged: acked.length, done: read.done.length, queued: read.queued.length },
      },
    ];
  }
  const timesDone = new Map<number, number>();
  for (const id of read.done) timesDone.set(id, (timesDone.get(id) ?? 0) + 1);
  const queued = new Set(read.queued);
  const first = firstTerminating(record);
  const rel = (ms: number) => Math.round(first ? ms - first.deliveredMs : ms);
  const since = first?.signal ?? 'readiness';

  const results: OracleResult[] = [];
  const lost = acked.filter((e) => !timesDone.has(e.jobId!) && !queued.has(e.jobId!));
  if (lost.length > 0) {
    const last = rel(lost.at(-1)!.endMs);
    results.push({
      oracle: 'jobs',
      verdict: 'fail',
      kind: 'job-lost',
      message:
        `${lost.length} of ${acked.length} acknowledged jobs were neither done nor still queued; the last was enqueued ` +
        `${Math.abs(last)} ms ${last < 0 ? 'before' : 'after'} ${since}`,
      evidence: {
        acknowledged: acked.length,
        done: timesDone.size,
        queued: queued.size,
        relativeTo: since,
        lost: lost.slice(0, EVIDENCE_IDS).map((e) => ({ jobId: e.jobId, enqueuedRelMs: rel(e.endMs) })),
      },
    });
  }
  if (read.exactlyOnce) {
    const doneTwice = [...timesDone].filter(([, times]) => times > 1).map(([jobId, times]) => ({ jobId, times }));
    const doneAndQueued = [...timesDone.keys()].filter((id) => queued.has(id));
    if (doneTwice.length + doneAndQueued.length > 0) {
      const sample = [
        ...doneTwice.slice(0, 3).map((d) => `job ${d.jobId} done ${d.times} times`),
        ...doneAndQueued.slice(0, 3).map((id) => `job ${id} done and still queued`),
      ];
      results.push({
        oracle: 'jobs',
        verdict: 'fail',
        kind: 'job-duplicated',
        message: `${doneTwice.length + doneAndQueued.length} jobs were not done exactly once (exactly_once): ${sample.join(', ')}`,
        evidence: { doneTwice: doneTwice.slice(0, EVIDENCE_IDS), doneAndQueued: doneAndQueued.slice(0, EVIDENCE_IDS) },
      });
    }
  }
  if (results.length > 0 || acked.length === 0) return results;
  return [
    {
      oracle: 'jobs',
      verdict: 'pass',
      message:
        `all ${acked.length} acknowledged jobs were done or are still queued ` +
        `(${timesDone.size} done, ${queued.size} queued${read.exactlyOnce ? ', each done once' : ''})`,
    },
  ];
};
