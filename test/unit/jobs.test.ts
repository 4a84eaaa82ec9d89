import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/oracles/judge.js';
import { jobs } from '../../src/oracles/jobs.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import type { JobsRecord, TrialRecord } from '../../src/trial/record.js';
import { recordProblems } from '../../src/trial/record-schema.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';
import { tempFiles } from '../helpers/files.js';

// The jobs oracle over hand-written records (a queue's acknowledgements against where the jobs went), and what the
// loader refuses about a job queue.
const SIGTERM_AT = 1000;

const job = (jobId: number, outcome: LedgerEntry['outcome'] = 'ok'): LedgerEntry => ({
  id: jobId, kind: 'job', protocol: 'redis', method: 'LPUSH', path: 'jobs', connection: 'keep-alive', reused: jobId > 0,
  sentMs: 100 * jobId, endMs: 100 * jobId + 1, outcome, bytes: 0, jobId,
});

function record(ledger: LedgerEntry[], read: Partial<JobsRecord>): TrialRecord {
  return {
    scenario: { name: 'worker', path: '/s/worker.yml' },
    backend: 'process',
    runId: 'r',
    expect: { SIGTERM: { kind: 'exit', exit: [0], within: 5000 } },
    oracles: { lost_requests: { no_refusals_for: 0 }, handles: { fd_slack: 8, allow_zombies: false, removed_on_exit: [] } },
    stopSignal: 'SIGTERM',
    stopGracePeriodMs: 5000,
    target: { id: '1', pid: 1 },
    readyAt: '2026-12-01T00:00:00.000Z',
    readyMonotonicMs: 1000,
    spawnToReadyMs: 100,
    schedule: [],
    events: [
      { at: SIGTERM_AT, kind: 'signal', signal: 'SIGTERM', to: 'main', origin: 'schedule', scheduledMs: SIGTERM_AT, deliveredMs: SIGTERM_AT, deliveries: [{ signal: 'SIGTERM', atMs: SIGTERM_AT }], via: 'host-pid', pids: [1] },
    ],
    checks: [],
    exit: { exitCode: 0, signal: null, status: 0, atMs: SIGTERM_AT + 5, forcedKill: false, lingering: [] },
    samples: [],
    ledger,
    files: [],
    logs: [],
    jobs: { done: [], queued: [], exactlyOnce: false, ...read },
  };
}

const ledger = [0, 1, 2, 3, 4, 5].map((id) => job(id));

describe('jobs oracle', () => {
  it('fails every acknowledged job neither done nor queued, with when it was enqueued relative to the signal', () => {
    const [result, ...more] = jobs(record(ledger, { done: [0, 1, 3], queued: [5] }));
    expect(more).toEqual([]);
    expect(result).toMatchObject({ oracle: 'jobs', verdict: 'fail', kind: 'job-lost' });
    expect(result!.message).toBe('2 of 6 acknowledged jobs were neither done nor still queued; the last was enqueued 599 ms before SIGTERM');
    expect(result!.evidence).toMatchObject({
      acknowledged: 6,
      lost: [
        { jobId: 2, enqueuedRelMs: 201 - SIGTERM_AT },
        { jobId: 4, enqueuedRelMs: 401 - SIGTERM_AT },
      ],
    });
  });

  it('passes when each acknowledged job was done or is still queued, and never counts a push Redis did not acknowledge', () => {
    const r = record([...ledger, job(6, 'timeout'), job(7, 'refused')], { done: [0, 1, 2, 3], queued: [4, 5] });
    expect(jobs(r)).toEqual([{ oracle: 'jobs', verdict: 'pass', message: 'all 6 acknowledged jobs were done or are still queued (4 done, 2 queued)' }]);
    expect(judge(r).verdict).toBe('pass');
  });

  it('with exactly_once, fails a job done twice or done and still queued; without it, both are fine', () => {
    const read = { done: [0, 1, 1, 2, 3, 4], queued: [4, 5] };
    expect(jobs(record(ledger, read)).map((x) => x.verdict)).toEqual(['pass']);
    const [result, ...more] = jobs(record(ledger, { ...read, exactlyOnce: true }));
    expect(more).toEqual([]);
    expect(result).toMatchObject({ verdict: 'fail', kind: 'job-duplicated', evidence: { doneTwice: [{ jobId: 1, times: 2 }], doneAndQueued: [4] } });
    expect(result!.message).toBe('2 jobs were not done exactly once (exactly_once): job 1 done 2 times, job 4 done and still queued');
    // Done twice though its push timed out: it reached the queue all the same.
    expect(jobs(record([job(0, 'timeout')], { done: [0, 0], exactlyOnce: true })).map((x) => x.kind)).toEqual(['job-duplicated']);
  });

  it('reports both failures of one trial', () => {
    const kinds = jobs(record(ledger, { done: [0, 0, 1, 2], queued: [3], exactlyOnce: true })).map((x) => x.kind);
    expect(kinds).toEqual(['job-lost', 'job-duplicated']);
  });

  it('says it could not judge when the read-back failed, never passes', () => {
    const [result] = jobs(record(ledger, { done: [0, 1, 2, 3, 4, 5], error: 'done (redis: redis-cli …): exit 1: Could not connect' }));
    expect(result).toMatchObject({ verdict: 'unknown', evidence: { acknowledged: 6 } });
    expect(result!.message).toMatch(/could not be read back, so 6 acknowledged jobs were not judged: done \(redis/);
  });

  it('has nothing to judge without a jobs workload or an acknowledged job', () => {
    const { jobs: _, ...without } = record(ledger, {});
    expect(jobs(without)).toEqual([]);
    expect(jobs(record([job(0, 'refused')], {}))).toEqual([]);
  });

  it('is part of a saved record that `analyze` checks', () => {
    expect(recordProblems(JSON.parse(JSON.stringify(record(ledger, { done: [1] }))))).toEqual([]);
    const bad = JSON.parse(JSON.stringify(record(ledger, {}))) as { jobs: Record<string, unknown> };
    bad.jobs.done = 'none';
    expect(recordProblems(bad)).toEqual([expect.stringContaining('jobs.done')]);
  });
});

describe('loading a job queue', () => {
  const scenario = (redis: string, jobsYaml: string) =>
    [
      'target: { process: { command: [w] }, ready: { log: ready } }',
      'dependencies:',
      `  ${redis}`,
      'workload:',
      `  jobs: ${jobsYaml}`,
      '',
    ].join('\n');
  const done = '{ service: redis, exec: [redis-cli, -p, "{port}", LRANGE, done, "0", "-1"] }';

  async function problems(yaml: string) {
    const dir = tempFiles({ 'scenario.yml': yaml });
    const error = await loadScenario(join(dir, 'scenario.yml')).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).problems.map((p) => ({ keyPath: p.keyPath, line: p.line, message: p.message }));
  }

  it('takes the defaults: the queue jobs, pending in the queue alone, at least once', async () => {
    const dir = tempFiles({ 'scenario.yml': scenario('redis: { process: { command: [redis-server] }, ready: { log: Ready } }', `{ redis: redis, done: ${done} }`) });
    const loaded = await loadScenario(join(dir, 'scenario.yml'));
    expect(loaded.workload.jobs).toMatchObject({ redis: 'redis', queue: 'jobs', rate: 20, exactly_once: false });
    expect(loaded.workload.jobs!.pending).toBeUndefined();
  });

  it('refuses a queue in a service that is not a dependency, naming the key and line', async () => {
    const found = await problems(scenario('cache: { process: { command: [redis-server] }, ready: { log: Ready } }', `{ redis: redis, done: ${done} }`));
    expect(found).toEqual([
      { keyPath: 'workload.jobs.done.service', line: 5, message: expect.stringContaining('"redis" is not a dependency') },
      { keyPath: 'workload.jobs.redis', line: 5, message: '"redis" is not a dependency; the stack\'s dependencies: cache' },
    ]);
  });

  it('refuses a queue in a container that publishes no port', async () => {
    const found = await problems(scenario('redis: { image: redis, ready: { log: Ready } }', `{ redis: redis, done: ${done} }`));
    expect(found).toEqual([{ keyPath: 'workload.jobs.redis', line: 5, message: expect.stringContaining('publishes no port') }]);
  });

  it('refuses reading the done jobs over HTTP: a GET per id cannot see a job done twice', async () => {
    const found = await problems(scenario('redis: { process: { command: [redis-server] }, ready: { log: Ready } }', '{ redis: redis, done: { http: "/done?id={id}", service: redis } }'));
    expect(found).toEqual([{ keyPath: 'workload.jobs.done', line: 5, message: expect.stringContaining('cannot see a job done twice') }]);
  });
});
