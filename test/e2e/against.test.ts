import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FuzzReport } from '../../src/report/fuzz-report.js';
import type { ResultSet } from '../../src/report/result.js';
import { sigstorm } from '../helpers/cli.js';

// Proving a fix on a real zoo pair, process backend: a short campaign records the bug's finding, then its schedule
// is replayed against the bug (still failing) and against the fixed twin's scenario (fixed, with the bound). The
// pair's bug fails whenever SIGTERM lands (it kills at once), so the recorded rate does not hang on the machine's
// load (a bug that needs requests in flight at the signal reproduced from 1/4 to 4/4 in CI runs).
describe('replay --against', () => {
  it('says "still fails" on the bug (exit 1) and "fixed" with the bound on its twin (exit 0), or how many runs are missing (exit 3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-against-'));
    const fuzzed = await sigstorm(['fuzz', 'scenarios/sigint-only.yml', '--backend', 'process', '--seed', '5', '--runs', '4', '--confirm', '4', '--budget', '30s', '--report-dir', dir]);
    expect(fuzzed.exitCode, fuzzed.all).toBe(1);
    const runDir = join(dir, 'sigint-only', readdirSync(join(dir, 'sigint-only')).find((d) => !d.endsWith('.json'))!);
    const reportPath = join(runDir, 'report.json');
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as FuzzReport;
    if (report.outcome.kind !== 'failed') throw new Error(`expected a finding, got ${report.outcome.kind}`);
    const before = report.outcome.reproduction;
    expect(before.failed).toBeGreaterThan(0);
    const recorded = `${before.failed}/${before.runs} before`;

    // The bug: the same signature again.
    const html = join(dir, 'bug.html');
    const bug = await sigstorm(['replay', '--against', reportPath, '--times', '4', '--html', html]);
    expect(bug.exitCode, bug.all).toBe(1);
    // Rates under 10% keep a decimal (4.6%).
    const pct = '\\d+(\\.\\d)?%';
    expect(bug.stdout).toMatch(new RegExp(`^  still fails: [1-4]/4 now vs ${recorded} \\(${pct} now, 95% interval ${pct}–${pct}; before ${pct}–${pct}\\)$`, 'm'));
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<table class="fix" data-decision="still-failing">');
    // A failing trial on its timeline; when a replay also passed outright (every oracle held), that trial below it,
    // on the same axis. (Which of the two happens is up to the race; test/unit/fix.test.ts renders both cases.)
    const axes = page.match(/data-axis="[^"]+"/g) ?? [];
    expect(page).toMatch(/aria-label="timeline of trial [^"]+"/);
    if (page.includes('class="trial passing"')) {
      expect(page).toContain('Both trials ran the same schedule; they share one time axis.');
      expect(axes).toHaveLength(2);
      expect(axes[0]).toBe(axes[1]);
    } else expect(axes).toHaveLength(1);

    // The twin, given the bug's schedule: enough clean runs for the bound to fall below the recorded lower bound.
    const needed = Math.ceil(Math.log(0.05) / Math.log(1 - before.interval.low));
    expect(needed).toBeLessThanOrEqual(30);
    const summary = join(dir, 'fixed.md');
    const fixed = await sigstorm(['replay', '--against', reportPath, '--scenario', 'scenarios/sigint-only-fixed.yml', '--times', String(needed), '--summary', summary]);
    expect(fixed.exitCode, fixed.all).toBe(0);
    expect(fixed.stdout).toMatch(/^NOT REPRODUCED {2}sigint-only-fixed {2}\(process backend\)/);
    const bound = Math.round(100 * (1 - 0.05 ** (1 / needed)));
    const floor = Math.round(100 * before.interval.low);
    expect(fixed.stdout).toContain(`  fixed: 0/${needed} now vs ${recorded} (95% upper bound on the rate now ${bound}%, below ${floor}%, the lower bound before)`);
    expect(readFileSync(summary, 'utf8')).toContain(`| now | 0/${needed} | 0% |`);

    // One clean run says nothing yet: exit 3, and how many more would.
    const early = await sigstorm(['replay', '--against', reportPath, '--scenario', 'scenarios/sigint-only-fixed.yml', '--times', '1', '--json']);
    expect(early.exitCode, early.all).toBe(3);
    const set = JSON.parse(early.stdout) as ResultSet;
    expect(set.scenarios[0]!.fix).toMatchObject({ decision: 'undecided', moreRuns: needed - 1, now: { failed: 0, runs: 1 } });
  }, 180_000);

  it('refuses a file without a finding to compare against (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-against-'));
    const file = join(dir, 'schedule.json');
    writeFileSync(file, JSON.stringify({ scenario: 'scenarios/sigint-only.yml', events: [{ at: 50, signal: 'SIGTERM' }] }));
    const result = await sigstorm(['replay', '--against', file]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(`${file}: --against needs a fuzz report with a finding`);
    const both = await sigstorm(['replay', file, '--against', file]);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('not both');
  });
});
