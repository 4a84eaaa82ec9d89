import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/session/fuzz.js';
import { run } from '../../src/session/run.js';
import { newDir } from '../helpers/leftovers.js';

// sigstorm's own medicine: scenarios/dogfood.yml makes a sigstorm campaign the target.
describe('dogfood: sigstorm fuzzes sigstorm', () => {
  it('an interrupted campaign is seen with its own targets running, exits 130 and leaves nothing', async () => {
    const { report } = await run('scenarios/dogfood.yml', {
      backend: 'process',
      schedule: [{ at: 2000, kind: 'signal', signal: 'SIGINT', to: 'main' }],
      reportDir: newDir('reports'),
    });
    expect(report.failures, JSON.stringify(report.failures, null, 2)).toEqual([]);
    expect(report.verdict).toBe('pass');
    // Not vacuous: the inner campaign's own targets (other sessions, found by their token) were sampled.
    const comms = new Set(report.trial!.samples.flatMap((s) => s.processes.map((p) => p.comm)));
    expect(comms).toContain('server');
    expect(report.trial!.exit.status).toBe(130);
  });

  it('passes a short campaign of signals and second signals', { timeout: 300_000 }, async () => {
    const { report } = await fuzz('scenarios/dogfood.yml', { backend: 'process', seed: 11, runs: 3, confirmRuns: 2, reportDir: newDir('reports') });
    expect(report.findings, JSON.stringify(report.findings, null, 2)).toEqual([]);
    expect(report.outcome).toEqual({ kind: 'passed' });
    expect(report.schedulesTried).toBe(3);
  });
});
