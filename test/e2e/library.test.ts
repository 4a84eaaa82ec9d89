import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// The package entry, as a user's test imports it (the built dist/, through package.json "exports").
import { fuzz, loadScenario, run, toJUnit, resultSet, fromFuzzReport } from 'sigstorm';

describe('library API', () => {
  it('fuzzes a seeded bug from a test: the campaign fails with a minimal schedule, the fixed twin passes', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-library-'));
    const scenario = await loadScenario('scenarios/sigint-only.yml');
    expect(scenario.name).toBe('sigint-only');

    const { report, reportPath } = await fuzz(scenario, { backend: 'process', seed: 1, runs: 5, confirmRuns: 3, budgetMs: 20_000, reportDir });
    expect(report.verdict).toBe('fail');
    if (report.outcome.kind !== 'failed') throw new Error('expected a failed outcome');
    expect(report.outcome.signature).toBe('exit-status/wrong-status');
    expect(report.outcome.minimal.length).toBeLessThanOrEqual(1);
    expect(report.outcome.reproduction.failed).toBeGreaterThan(0);
    // The minimal failing trial is kept: SIGTERM is not handled, so the Go runtime's default action ends it at once.
    expect(report.trial?.exit.status).toBe(143);
    expect(report.replay).toContain('npx sigstorm replay');
    expect(existsSync(join(dirname(reportPath), 'report.html'))).toBe(true);
    expect(toJUnit(resultSet([fromFuzzReport(report)]))).toContain('<failure message="exit-status: exited 143 (SIGTERM)');

    const fixed = await fuzz('scenarios/sigint-only-fixed.yml', { backend: 'process', seed: 1, runs: 5, budgetMs: 20_000, reportDir });
    expect(fixed.report.outcome).toEqual({ kind: 'passed' });

    const once = await run('scenarios/sigint-only-fixed.yml', { backend: 'process', reportDir });
    expect(once.report.verdict).toBe('pass');
    expect(once.report.trial?.exit.status).toBe(0);
  });
});
