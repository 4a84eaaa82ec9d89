import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AmplifyReport } from '../../src/session/amplify.js';
import { parse } from 'shell-quote';
import { sigstorm } from '../helpers/cli.js';
import { docCommand } from '../helpers/doc-runs.js';

/** A report holding one finding: SIGINT 25 ms after SIGTERM, which panics double-close about once in ten runs. */
function rareFinding(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigstorm-amplify-'));
  const file = join(dir, 'report.json');
  const minimal = [
    { at: 0, kind: 'signal', signal: 'SIGTERM', to: 'main' },
    { at: 25, kind: 'signal', signal: 'SIGINT', to: 'main' },
  ];
  // No recorded reproduction: amplify measures the original itself, on the same machine as its variants.
  writeFileSync(file, JSON.stringify({ scenario: { path: 'scenarios/double-close.yml' }, backend: 'process', outcome: { kind: 'failed', signature: 'second-signal/not-ignored', minimal } }));
  return file;
}

describe('sigstorm amplify', () => {
  it('finds a variant of a rare double-close schedule that fails at least as often, with the same signature, and replay plays it', async () => {
    const file = rareFinding();
    const result = await sigstorm(['amplify', file, '--budget', '40s', '--parallel', '2', '--confirm', '10']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^(AMPLIFIED|IMPROVED|NOT AMPLIFIED) {2}double-close {2}second-signal\/not-ignored {2}\(process backend\)/);
    const report = JSON.parse(readFileSync(join(file, '..', 'amplify.json'), 'utf8')) as AmplifyReport;
    expect(report).toMatchObject({ command: 'amplify', signature: 'second-signal/not-ignored', outcome: { kind: 'failed', signature: 'second-signal/not-ignored' } });
    expect(report.original.reproduction.runs).toBeGreaterThanOrEqual(10);
    expect(report.best.reproduction.runs).toBeGreaterThanOrEqual(10);
    expect(report.best.reproduction.failed).toBeGreaterThan(0);
    expect(report.best.reproduction.rate).toBeGreaterThanOrEqual(report.original.reproduction.rate);
    expect(report.outcome.minimal).toEqual(report.best.schedule);
    expect(report.trialsRun).toBeGreaterThanOrEqual(report.best.reproduction.runs);
    if (report.best.changes.length) expect(result.stdout).toContain(`changed: ${report.best.changes.join('; ')}`);

    // The flaky-shutdown guide's line, with its /tmp/amp/ this test's directory.
    const line = docCommand('docs/guides/flaky-shutdown.md', 'replay /tmp/amp/amplify.json --times 20').replace('/tmp/amp/', `${join(file, '..')}/`);
    const replayed = await sigstorm(parse(line).map(String));
    expect(replayed.stdout).toMatch(/second-signal\/not-ignored: \d+\/20/);
  }, 150_000);

  it('exits 2 naming the problem for a report without a finding, or no report at all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-amplify-'));
    const passed = join(dir, 'report.json');
    writeFileSync(passed, JSON.stringify({ scenario: { path: 'scenarios/double-close.yml' }, backend: 'process', outcome: { kind: 'passed' } }));
    const none = await sigstorm(['amplify', passed]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('expected a report with a finding');
    const missing = await sigstorm(['amplify', join(dir, 'nope.json')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read a report/);
    const budget = await sigstorm(['amplify', passed, '--budget', 'soon']);
    expect(budget.exitCode).toBe(2);
    expect(budget.stderr).toContain('--budget');
  });
});
