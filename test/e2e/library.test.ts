import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// The package entry, as a user's test imports it (the built dist/, through package.json "exports").
import { analyze, fuzz, loadScenario, mergeReports, run, toJUnit, resultSet, fromFuzzReport, type ScenarioResult } from 'sigstorm';

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

  it('judges a saved trial again and merges the results of shards, as `analyze` and `merge` do', async () => {
    const leak = await analyze('test/fixtures/fd/hup-leak.docker.json');
    expect(leak.record.scenario.name).toBe('hup-leak');
    expect(leak.verdict).toBe('fail');
    expect(leak.results.find((r) => r.verdict === 'fail')?.oracle).toBe('handles');
    expect((await analyze('test/fixtures/fd/hup-leak-fixed.docker.json')).verdict).toBe('pass');
    await expect(analyze('test/fixtures/fd/nope.json')).rejects.toMatchObject({ kind: 'bad-input', message: expect.stringContaining('cannot read a report or trial record') });

    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-library-'));
    const scenario = (name: string, verdict: 'pass' | 'fail'): ScenarioResult => ({
      scenario: { name, path: `scenarios/${name}.yml` }, command: 'fuzz', verdict, exitCode: verdict === 'pass' ? 0 : 1, durationMs: 5, trialsRun: 1, steps: [], failures: [],
    });
    const shards = [1, 2].map((index) => join(dir, `result-${index}.json`));
    writeFileSync(shards[0]!, JSON.stringify(resultSet([scenario('b', 'fail')], { shards: [{ index: 1, total: 2 }] })));
    writeFileSync(shards[1]!, JSON.stringify(resultSet([scenario('a', 'pass')], { shards: [{ index: 2, total: 2 }] })));
    const merged = await mergeReports(shards);
    expect(merged).toMatchObject({ verdict: 'fail', exitCode: 1, counts: { total: 2, passed: 1, failed: 1 }, shards: [{ index: 1 }, { index: 2 }] });
    expect(merged.scenarios.map((s) => s.scenario.name)).toEqual(['a', 'b']);
    // A shard missing from a complete set: its scenarios went untested.
    expect(await mergeReports([shards[1]!])).toMatchObject({ verdict: 'unknown', exitCode: 3, missingShards: [{ index: 1, total: 2 }] });
    await expect(mergeReports([])).rejects.toMatchObject({ kind: 'bad-input' });
  });
});
