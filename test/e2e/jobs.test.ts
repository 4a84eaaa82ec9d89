import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/backends/process/free-port.js';
import { loadScenario } from '../../src/scenario/load.js';
import { run } from '../../src/session/run.js';
import { now, sleep } from '../../src/time.js';
import { startWorkload } from '../../src/workload/workload.js';

// Jobs pushed at a real redis-server: every push ends on the ledger, however Redis fails, and the trial goes on.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-jobs-'));
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function redisServer(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    if (output.includes('Ready to accept connections')) break;
  }
  child.stdout!.resume();
  return { child, port };
}

describe('jobs workload', () => {
  it('records an acknowledged push as ok, a frozen Redis as timeouts, a dead one as reset or refused, and stops in bounded time', async () => {
    const { child, port } = await redisServer();
    const scenario = await loadScenario('scenarios/jobs-ack-before-do.yml');
    const workload = { ...scenario.workload, jobs: { ...scenario.workload.jobs!, rate: 50 } };
    const traffic = startWorkload({ workload, services: new Map([['redis', { host: '127.0.0.1', port }]]), originMs: now(), cwd: 'scenarios' });
    await sleep(300);
    child.kill('SIGSTOP'); // pushes now wait for a reply that comes too late (2 s): timeouts
    await sleep(2500);
    child.kill('SIGCONT');
    await sleep(200);
    child.kill('SIGKILL');
    await once(child, 'exit');
    await sleep(300);
    const stopAt = now();
    const ledger = await traffic.stop();
    // Bounded by the workload's 2 s settle wait (src/workload/workload.ts), not by a dead Redis's retries: the second
    // left is slack for a busy machine's scheduling, which costs ms here (nothing is in flight once Redis is gone).
    expect(now() - stopAt).toBeLessThan(3000);

    const outcomes = new Set(ledger.map((e) => e.outcome));
    expect(outcomes).toContain('ok');
    // A reply arrives whole: an acknowledged push's first byte is its end.
    expect(ledger.filter((e) => e.outcome === 'ok').every((e) => e.firstByteMs === e.endMs)).toBe(true);
    expect(outcomes).toContain('timeout');
    expect(ledger.filter((e) => e.outcome === 'timeout' && e.error === 'Command timed out').length).toBeGreaterThan(0);
    // Once Redis is gone, no push is acknowledged; each ends refused (no connection) or reset (connection lost).
    const afterDeath = ledger.filter((e) => e.sentMs > ledger.at(-1)!.sentMs - 200);
    expect(afterDeath.length).toBeGreaterThan(0);
    expect(afterDeath.every((e) => e.outcome === 'refused' || e.outcome === 'reset')).toBe(true);
    expect(ledger.every((e) => e.kind === 'job' && e.protocol === 'redis' && e.method === 'LPUSH' && e.path === 'jobs')).toBe(true);
    // Job ids count 0, 1, 2… whatever happened to each push.
    expect(ledger.map((e) => e.jobId)).toEqual(ledger.map((_, i) => i));
  }, 20_000);

  it('fails a trial as an infrastructure error when the queue cannot be reached at all', async () => {
    const scenario = await loadScenario('scenarios/jobs-ack-before-do.yml');
    const port = await freePort(); // nothing listens there
    const traffic = startWorkload({ workload: scenario.workload, services: new Map([['redis', { host: '127.0.0.1', port }]]), originMs: now(), cwd: 'scenarios' });
    await sleep(100);
    await expect(traffic.stop()).rejects.toMatchObject({ kind: 'infrastructure', message: expect.stringMatching(/workload\.jobs: redis: cannot connect to Redis at 127\.0\.0\.1:\d+: .*ECONNREFUSED/) });
  });
});

describe('jobs read-back', () => {
  it('says the jobs could not be judged when Redis is gone by the end of the trial, never passes', async () => {
    const { report } = await run('scenarios/jobs-ack-before-do-fixed.yml', {
      backend: 'process',
      reportDir,
      schedule: [
        { at: 300, kind: 'signal', signal: 'SIGKILL', to: 'redis' },
        { at: 500, kind: 'signal', signal: 'SIGTERM', to: 'main' },
      ],
    });
    const jobs = report.results.find((r) => r.oracle === 'jobs')!;
    expect(jobs).toMatchObject({ verdict: 'unknown', message: expect.stringMatching(/could not be read back.*redis had exited/) });
    expect(report.trial!.jobs!.error).toMatch(/^done \(redis: redis-cli .*\): redis had exited; queued \(redis: LRANGE jobs, processing\): redis had exited$/);
  }, 30_000);
});
