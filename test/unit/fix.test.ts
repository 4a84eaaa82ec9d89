import { describe, expect, it } from 'vitest';
import { confirm } from '../../src/fuzz/confirm.js';
import { checkFix, upperBoundAfterClean } from '../../src/fuzz/fix.js';
import type { TrialOutcome } from '../../src/fuzz/trial-fn.js';
import { wilson } from '../../src/fuzz/wilson.js';
import type { Reproduction } from '../../src/report/fuzz-report.js';
import { toHtml } from '../../src/report/html.js';
import { toJUnit } from '../../src/report/junit.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { resultSet, type ScenarioResult } from '../../src/report/result.js';
import { sharedRange, timeRange } from '../../src/report/timeline.js';
import type { TrialRecord } from '../../src/trial/record.js';

const rate = (k: number, n: number): Reproduction => ({ failed: k, runs: n, rate: n ? k / n : 0, interval: wilson(k, n) });

describe('checkFix: is the rate now clearly below the recorded one?', () => {
  it('gives the example of the docs: 0/60 now vs 9/10 before is fixed, with the one-sided bound 4.9%', () => {
    const fix = checkFix(rate(9, 10), rate(0, 60));
    expect(fix.decision).toBe('fixed');
    expect(fix.upperBound).toBeCloseTo(0.0487, 4);
    expect(fix.message).toBe('fixed: 0/60 now vs 9/10 before (95% upper bound on the rate now 4.9%, below 60%, the lower bound before)');
  });

  it('one failure with the signature is enough to say it still fails, at any rate', () => {
    expect(checkFix(rate(9, 10), rate(7, 20))).toMatchObject({ decision: 'still-failing', message: expect.stringMatching(/^still fails: 7\/20 now vs 9\/10 before/) });
    expect(checkFix(rate(9, 10), rate(1, 1000)).decision).toBe('still-failing');
  });

  it('says fixed exactly when the clean runs reach the bound: one run fewer is undecided, and names the runs missing', () => {
    // 9/10 before: Wilson lower bound 59.6%; 0.404^3 = 6.6% > 5%, 0.404^4 = 2.7% ≤ 5%.
    expect(checkFix(rate(9, 10), rate(0, 3))).toMatchObject({ decision: 'undecided', moreRuns: 1 });
    expect(checkFix(rate(9, 10), rate(0, 4)).decision).toBe('fixed');
    // 1/10 before: the lower bound is 1.8%, so it takes over a hundred and fifty clean runs.
    const low = wilson(1, 10).low;
    const needed = Math.ceil(Math.log(0.05) / Math.log(1 - low));
    expect(upperBoundAfterClean(needed)).toBeLessThanOrEqual(low);
    expect(upperBoundAfterClean(needed - 1)).toBeGreaterThan(low);
    expect(checkFix(rate(1, 10), rate(0, 20))).toMatchObject({ decision: 'undecided', moreRuns: needed - 20, message: expect.stringMatching(new RegExp(`run ${needed - 20} more$`)) });
    expect(checkFix(rate(1, 10), rate(0, needed)).decision).toBe('fixed');
    expect(checkFix(rate(1, 10), rate(0, needed - 1)).decision).toBe('undecided');
  });

  it('never says fixed without runs, nor against a recorded rate whose lower bound is 0', () => {
    expect(checkFix(rate(9, 10), rate(0, 0))).toMatchObject({ decision: 'undecided', upperBound: 1 });
    const none = checkFix(rate(0, 10), rate(0, 10_000));
    expect(none.decision).toBe('undecided');
    expect(none.moreRuns).toBeUndefined();
  });
});

// A small recorded trial: a SIGTERM, two requests, the exit.
const trial = (runId: string, exitAtMs: number, outcome: 'ok' | 'reset'): TrialRecord => ({
  scenario: { name: 'demo', path: 'scenarios/demo.yml' }, backend: 'process', runId, expect: {}, oracles: {} as TrialRecord['oracles'],
  stopSignal: 'SIGTERM', stopGracePeriodMs: 3000, target: { id: 'p', pid: 100 }, readyAt: '2026-11-26T00:00:00.000Z', readyMonotonicMs: 1, spawnToReadyMs: 20,
  schedule: [], checks: [], files: [], logs: [], samples: [],
  events: [{ kind: 'signal', signal: 'SIGTERM', to: 'main', at: 50, origin: 'schedule', scheduledMs: 50, deliveredMs: 51 }] as TrialRecord['events'],
  exit: { exitCode: 0, signal: null, status: 0, atMs: exitAtMs, forcedKill: false, lingering: [] },
  ledger: [0, 1].map((id) => ({ id, kind: 'request', method: 'GET', path: '/slow', connection: 'fresh', reused: false, sentMs: id * 20, endMs: id * 20 + 60, outcome, bytes: 0 })),
});

describe('failing and passing side by side', () => {
  it('confirmation keeps the first failing and the first passing record of a flaky schedule', async () => {
    let n = 0;
    const outcomes: TrialOutcome[] = [
      { kind: 'pass' },
      { kind: 'fail', signatures: ['other/x'], failures: [], record: trial('other', 90, 'reset') },
      { kind: 'fail', signatures: ['lost-requests/in-flight-lost'], failures: [], record: trial('failing', 90, 'reset') },
      { kind: 'pass', record: trial('passing', 400, 'ok') },
    ];
    const r = await confirm(async () => outcomes[n++ % outcomes.length]!, [], 'lost-requests/in-flight-lost', 4, 1);
    expect(r).toMatchObject({ failed: 1, runs: 4, record: { runId: 'failing' }, passing: { runId: 'passing' } });
  });

  it('draws both trials on one time axis that covers both, under a caption saying they ran the same schedule', () => {
    const failing = trial('failing', 90, 'reset');
    const passing = trial('passing', 400, 'ok');
    expect(timeRange(failing)).toEqual({ t0: 0, t1: 90 });
    expect(sharedRange([failing, passing])).toEqual({ t0: 0, t1: 400 });
    const result: ScenarioResult = {
      scenario: { name: 'demo', path: 'scenarios/demo.yml' }, command: 'fuzz', verdict: 'fail', exitCode: 1, durationMs: 1, trialsRun: 5,
      steps: ['+50 ms SIGTERM→main'], failures: [], reproduction: rate(3, 5), trial: failing, passingTrial: passing,
    };
    const html = toHtml(resultSet([result]));
    expect(html).toContain('Both trials ran the same schedule; they share one time axis.');
    expect(html.match(/data-axis="([^"]+)"/g)).toEqual(['data-axis="0 400"', 'data-axis="0 400"']);
    expect(html.indexOf('aria-label="timeline of trial failing"')).toBeLessThan(html.indexOf('aria-label="timeline of trial passing"'));
    // One trial alone keeps its own axis.
    const alone = toHtml(resultSet([{ ...result, passingTrial: undefined }]));
    expect(alone.match(/data-axis="([^"]+)"/g)).toEqual(['data-axis="0 90"']);
    expect(alone).not.toContain('Both trials ran the same schedule');
  });

  it('shows both rates of replay --against with their intervals in Markdown, HTML and JUnit', () => {
    const fix = checkFix(rate(9, 10), rate(0, 60));
    const result: ScenarioResult = {
      scenario: { name: 'demo-fixed', path: 'scenarios/demo-fixed.yml' }, command: 'replay', verdict: 'pass', exitCode: 0, durationMs: 1, trialsRun: 60,
      steps: ['+50 ms SIGTERM→main'], failures: [], reproduction: fix.now, fix,
    };
    const set = resultSet([result]);
    const markdown = toMarkdown(set);
    expect(markdown).toContain('| recorded | 9/10 | 90% | 60%–98% |');
    expect(markdown).toContain('| now | 0/60 | 0% | 0%–6% |');
    expect(markdown).toContain(`**${fix.message}**`);
    const html = toHtml(set);
    expect(html).toContain('<table class="fix" data-decision="fixed">');
    expect(html).toContain('<td>recorded</td><td class="num">9/10</td><td class="num">90%</td><td>60%–98%</td>');
    expect(html).toContain('95% upper bound on the rate now 4.9%');
    const junit = toJUnit(set);
    expect(junit).toContain('recorded: 9/10 (90%, 95% interval 60%–98%)');
    expect(junit).toContain('now: 0/60 (0%, 95% interval 0%–6%)');
  });
});
