import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/oracles/judge.js';
import { FORCE_EXIT_DECLARATION } from '../../src/scenario/second-signal.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import { run } from '../../src/session/run.js';

// The lighttpd-like zoo pair, real processes, real signals and traffic: SIGINT at +600 ms, SIGINT again at +900 ms
// during a drain of 2 s requests. The bug treats the repeat as "stop now" (exit 1 at once); the twin drains on.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-second-signal-'));
const forceExit = async (path: string): Promise<Scenario> => {
  const scenario = await loadScenario(path);
  return { ...scenario, oracles: { ...scenario.oracles, second_signal: { policy: 'force-exit', within: 1000 } } };
};
const failing = (results: { oracle: string; kind?: string; verdict: string }[]) => results.filter((r) => r.verdict === 'fail').map((r) => `${r.oracle}/${r.kind}`);

describe('a repeated SIGINT, judged under each second-signal policy', () => {
  it('the bug fails the default policy (ignore), every message naming the second SIGINT, and passes a declared force-exit', async () => {
    const { report } = await run('scenarios/repeat-sigint-stops.yml', { backend: 'process', reportDir });
    const trial = report.trial!;
    expect(trial.exit.status).toBe(1);
    expect(failing(report.results)).toEqual(expect.arrayContaining(['exit-status/wrong-status', 'second-signal/not-ignored', 'lost-requests/in-flight-lost']));
    const byOracle = Object.fromEntries(report.results.map((r) => [r.oracle, r]));
    // The signal the exit followed, its time and the gap, and the first one before it.
    expect(byOracle['exit-status']!.message).toMatch(/^exited 1 at \+\d+ ms, \d+ ms after a second SIGINT \(\+\d+ ms; the first SIGINT at \+\d+ ms\); expected one of 0$/);
    expect(byOracle['exit-status']!.evidence).toMatchObject({ signal: 'SIGINT', followed: { signal: 'SIGINT', nth: 2 }, before: [{ signal: 'SIGINT' }] });
    const second = byOracle['second-signal']!;
    expect(second.message).toContain('a second SIGINT at +');
    expect(second.message).toContain('policy `ignore` is the default');
    expect(second.message).toContain(FORCE_EXIT_DECLARATION);
    expect(second.evidence).toMatchObject({ policy: 'ignore', declared: false });
    expect(second.diagnosis?.id).toBe('second-signal-forced');
    expect(second.diagnosis!.fix).toContain(FORCE_EXIT_DECLARATION);
    // The record judged again as if force-exit were declared (what `analyze` does) passes…
    expect(judge({ ...trial, oracles: { ...trial.oracles, second_signal: { policy: 'force-exit', within: 1000 } } }).verdict).toBe('pass');

    // …and so does a real run of the scenario that declares it.
    const forced = await run(await forceExit('scenarios/repeat-sigint-stops.yml'), { backend: 'process', reportDir });
    expect(forced.report.trial!.exit.status).toBe(1);
    expect(failing(forced.report.results)).toEqual([]);
    const results = Object.fromEntries(forced.report.results.map((r) => [r.oracle, r]));
    expect(results['exit-status']!.message).toMatch(/after a second SIGINT .*: the stop the second signal forced, which `force-exit` accepts/);
    expect(results['second-signal']!.evidence).toMatchObject({ policy: 'force-exit', declared: true });
    expect(results['lost-requests']!.message).toMatch(/\d+ cut by the stop the second signal forced at \+\d+ ms/);
  });

  it('the twin passes the default policy and fails a declared force-exit: still draining 1 s after the second SIGINT', async () => {
    const { report } = await run('scenarios/repeat-sigint-stops-fixed.yml', { backend: 'process', reportDir });
    expect(report.verdict, JSON.stringify(report.failures)).toBe('pass');
    expect(report.trial!.exit.status).toBe(0);
    const second = report.results.find((r) => r.oracle === 'second-signal')!;
    expect(second.message).toMatch(/^a second SIGINT at \+\d+ ms \(\d+ ms after the first\) was ignored: the drain went on, exit 0$/);

    const forced = await run(await forceExit('scenarios/repeat-sigint-stops-fixed.yml'), { backend: 'process', reportDir });
    expect(failing(forced.report.results)).toEqual(['second-signal/not-forced']);
    const notForced = forced.report.failures.find((f) => f.oracle === 'second-signal')!;
    expect(notForced.message).toMatch(/^a second SIGINT at \+\d+ ms \(\d+ ms after the first\): gone \d+ ms later \(must force an exit within 1000 ms\)$/);
    expect(notForced.diagnosis?.id).toBe('second-signal-not-forced');
  });

  it("real lighttpd, whose repeated SIGINT is its immediate shutdown: its scenario declares force-exit and passes; the message names the second SIGINT", async () => {
    // A download in flight, SIGINT at +1500 ms and again 5 ms later (lighttpd-int's own schedule has one SIGINT).
    const schedule = parseSchedule([{ at: 1500, signal: 'SIGINT' }, { at: 1505, signal: 'SIGINT' }], 'test');
    const { report } = await run('scenarios/real/lighttpd-int.yml', { backend: 'process', schedule, reportDir });
    expect(report.verdict, JSON.stringify(report.failures)).toBe('pass');
    const exitStatus = report.results.find((r) => r.oracle === 'exit-status')!;
    expect(exitStatus.message).toMatch(/^exited [01] at \+\d+ ms, \d+ ms after a second SIGINT \(\+\d+ ms; the first SIGINT at \+\d+ ms\)/);
    expect(report.results.find((r) => r.oracle === 'second-signal')!.evidence).toMatchObject({ policy: 'force-exit', declared: true });
    // Without the declaration, the default judges it: lighttpd's exit 1 (its usual answer to the repeat) fails.
    const trial = report.trial!;
    const { second_signal: _declared, ...undeclared } = trial.oracles;
    expect(judge({ ...trial, oracles: undeclared }).verdict).toBe(trial.exit.status === 0 ? 'pass' : 'fail');
  });
});
