import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/leftovers/journal.js';
import type { Report } from '../../src/report/report.js';
import { run } from '../../src/session/run.js';
import type { TrialRecord } from '../../src/trial/record.js';
import { sigstorm } from '../helpers/cli.js';
import { containersWithLabel, networksWithLabel } from '../helpers/docker.js';
import { collectJournal, leftoversOf, newDir, newStateDir, processesOfRun, reachedPhase, runIdsIn, sweepStateDirs } from '../helpers/leftovers.js';

// Acknowledged writes read back by the user's own reader, in a record format of the user's own: the graceful Go
// service keeps every acknowledged write, the exit-no-flush one loses those still buffered.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-readback-'));

describe('read-back through a command and a pattern', () => {
  it('finds every acknowledged write of the graceful service, and misses those exit-no-flush dropped', { timeout: 60_000 }, async () => {
    const good = await run('test/fixtures/readback/graceful.yml', { backend: 'process', reportDir });
    const acked = good.report.trial!.ledger.filter((e) => e.kind === 'write' && e.outcome === 'ok').length;
    expect(acked).toBeGreaterThan(0);
    expect(good.report.trial!.readback).toMatchObject({ file: expect.stringMatching(/^sed /) });
    expect(good.report.trial!.readback!.ids.length).toBeGreaterThanOrEqual(acked);
    expect(good.report.verdict).toBe('pass');

    const bad = await run('test/fixtures/readback/exit-no-flush.yml', { backend: 'process', reportDir });
    expect(bad.report.failures.map((f) => `${f.oracle}/${f.kind}`)).toContain('acked-writes/acked-lost');
  });
});

const ackedIds = (trial: TrialRecord) =>
  trial.ledger.flatMap((e) => (e.kind === 'write' && e.outcome === 'ok' && e.writeId !== undefined ? [e.writeId] : [])).sort((a, b) => a - b);

/** What a trial could have left on the host, asked of the engine and /proc: the restarted instance's included. */
const leftAfter = (trial: TrialRecord) => [
  ...containersWithLabel(`sigstorm.run=${trial.runId}`).map((id) => `container ${id}`),
  ...networksWithLabel(`sigstorm.run=${trial.runId}`).map((id) => `network ${id}`),
  ...processesOfRun(trial.runId).map((pid) => `process ${pid}`),
  ...readdirSync(tmpdir()).filter((n) => n.startsWith(`sigstorm-data-${trial.runId}`)),
];

const ackedWritesResult = (report: Report) => report.results.find((r) => r.oracle === 'acked-writes');

describe('read-back over HTTP', () => {
  for (const backend of ['process', 'docker'] as const) {
    it(`${backend}: the target restarted over its data says the graceful service kept every acknowledged write, and exit-no-flush lost them`, { timeout: 90_000 }, async () => {
      const good = await run('test/fixtures/readback/http-restart-graceful.yml', { backend, reportDir });
      const trial = good.report.trial!;
      expect(ackedIds(trial).length).toBeGreaterThan(0);
      // Every id asked, each answered 200 by the second instance (no error, none unread).
      expect(trial.readback).toEqual({ file: 'the restarted target: GET /read?id={id}', ids: ackedIds(trial) });
      expect(good.report.verdict).toBe('pass');
      // The second instance is not judged: the trial's output is the first one's alone, one start and one drain.
      expect(trial.logs.filter((l) => l.text.includes('listening on'))).toHaveLength(1);
      expect(leftAfter(trial)).toEqual([]);

      const bad = await run('test/fixtures/readback/http-restart-exit-no-flush.yml', { backend, reportDir });
      const lost = bad.report.trial!;
      expect(bad.report.failures.map((f) => `${f.oracle}/${f.kind}`)).toEqual(['acked-writes/acked-lost']);
      // Proven lost: answered 404, not failed reads.
      expect(lost.readback!.unread).toBeUndefined();
      expect((ackedWritesResult(bad.report)!.evidence!.missing as unknown[]).length).toBe(ackedIds(lost).length - lost.readback!.ids.length);
      expect(ackedIds(lost).length - lost.readback!.ids.length).toBeGreaterThan(0);
      expect(leftAfter(lost)).toEqual([]);
    });
  }

  for (const backend of ['process', 'docker'] as const) {
    it(`${backend}: the restarted target joins its stack again, beside the dependency still up`, { timeout: 90_000 }, async () => {
      const { report } = await run('test/fixtures/readback/http-restart-stack.yml', { backend, reportDir });
      const trial = report.trial!;
      expect(ackedIds(trial).length).toBeGreaterThan(0);
      // Each 200 came from a second API that reached Redis; one that could not would never have been ready.
      expect(trial.readback).toEqual({ file: 'the restarted target: GET /healthz?id={id}', ids: ackedIds(trial) });
      expect(report.verdict).toBe('pass');
      expect(leftAfter(trial)).toEqual([]);
    });
  }

  it('process: a dependency still up once the target is gone is asked in its place', { timeout: 60_000 }, async () => {
    const good = await run('test/fixtures/readback/http-service-graceful.yml', { backend: 'process', reportDir });
    expect(good.report.trial!.readback).toEqual({ file: 'reader: GET /read?id={id}', ids: ackedIds(good.report.trial!) });
    expect(good.report.verdict).toBe('pass');

    const bad = await run('test/fixtures/readback/http-service-exit-no-flush.yml', { backend: 'process', reportDir });
    expect(bad.report.failures.map((f) => `${f.oracle}/${f.kind}`)).toEqual(['acked-writes/acked-lost']);
    expect(bad.report.trial!.readback!.unread).toBeUndefined();
    for (const report of [good.report, bad.report]) expect(leftAfter(report.trial!)).toEqual([]);
  });

  it('process: reads answered with errors call no write lost, and decide nothing', { timeout: 60_000 }, async () => {
    const { report } = await run('test/fixtures/readback/http-restart-errors.yml', { backend: 'process', reportDir });
    const acked = ackedIds(report.trial!);
    expect(acked.length).toBeGreaterThan(0);
    expect(report.trial!.readback).toMatchObject({ ids: [], unread: acked, error: expect.stringMatching(/^\d+ of \d+ reads failed; the first, of id \d+: HTTP 405$/) });
    expect(ackedWritesResult(report)).toMatchObject({ verdict: 'unknown', message: expect.stringMatching(/not proven lost/) });
    expect(report.failures).toEqual([]);
    expect(report.verdict).toBe('unknown');
    expect(leftAfter(report.trial!)).toEqual([]);
  });
});

describe('interrupting the read-back', () => {
  afterAll(sweepStateDirs);

  for (const backend of ['process', 'docker'] as const) {
    it(`${backend}: SIGINT while the restarted target loads its data removes it too, and keeps the report`, { timeout: 90_000 }, async () => {
      const stateDir = newStateDir();
      const dir = newDir('reports');
      const args = ['run', 'test/fixtures/readback/http-restart-slow-start.yml', '--backend', backend, '--report-dir', dir];
      const child = sigstorm(args, { env: { SIGSTORM_STATE_DIR: stateDir } });
      const journal = collectJournal(stateDir, child.pid!);
      await reachedPhase(stateDir, child.pid!, 'reading-back');
      await new Promise((resolve) => setTimeout(resolve, 500)); // the second instance takes 2 s to listen
      child.kill('SIGINT');
      const result = await child;
      const records = journal.stop();

      expect(result.exitCode, result.all).toBe(130);
      // The second instance was started (journalled before it existed, like the first) and released.
      const intents = records.filter((r): r is Extract<JournalRecord, { op: 'intent' }> => r.op === 'intent');
      const instances = intents.filter((r) => (backend === 'docker' ? r.resource.kind === 'container' : r.resource.kind === 'process'));
      expect(instances).toHaveLength(2);
      if (backend === 'process') expect(instances[1]!.resource).toMatchObject({ token: expect.stringMatching(/:restart$/) });
      for (const { ref } of instances) {
        expect(records.some((r) => r.op === 'created' && r.ref === ref)).toBe(true);
        expect(records.some((r) => r.op === 'released' && r.ref === ref)).toBe(true);
      }
      expect(leftoversOf(child.pid!, runIdsIn(records), records)).toEqual([]);

      const scenario = readdirSync(dir).find((n) => !n.endsWith('.json'))!;
      const runDir = readdirSync(join(dir, scenario)).find((n) => !n.endsWith('.json'))!;
      const report = JSON.parse(readFileSync(join(dir, scenario, runDir, 'report.json'), 'utf8')) as Report;
      expect(report).toMatchObject({ interrupted: true, verdict: 'unknown' });
      expect(report.trial!.readback).toMatchObject({ ids: [], error: expect.stringMatching(/interrupted/) });
    });
  }
});
