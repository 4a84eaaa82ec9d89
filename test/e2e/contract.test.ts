import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { FuzzReport } from '../../src/report/fuzz-report.js';
import type { ResultSet } from '../../src/report/result.js';
import { sigstorm } from '../helpers/cli.js';
import { policyNote, untestedSignals } from '../../src/scenario/coverage.js';

// The fault space is the declared contract. nginx documents QUIT as its graceful shutdown and TERM/INT as its fast
// one; a scenario written from that (stop_signal SIGQUIT, expect SIGQUIT exit 0, no `faults:`) is fuzzed with
// SIGQUIT alone and passes, and every output says what that leaves untested instead of failing it.
describe('fault space from the declared contract', () => {
  it('a SIGQUIT-graceful server passes its own contract; SIGTERM, SIGINT and SIGHUP are coverage notes in every output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-contract-'));
    const out = { junit: join(dir, 'junit.xml'), summary: join(dir, 'summary.md'), html: join(dir, 'all.html') };
    const result = await sigstorm([
      'fuzz', 'scenarios/nginx-quit.yml', '--backend', 'process', '--runs', '3', '--budget', '60s', '--seed', '3',
      '--report-dir', dir, '--junit', out.junit, '--summary', out.summary, '--html', out.html,
    ]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/^ {2}note: not tested: SIGTERM — .*Kubernetes.*; declare what must hold after it under `expect` to test it$/m);

    const set = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ResultSet;
    const [scenario] = set.scenarios;
    expect(scenario!.verdict).toBe('pass');
    expect(untestedSignals(scenario!.coverage).map((n) => n.signal)).toEqual(['SIGTERM', 'SIGINT', 'SIGHUP']);
    // …and the second-signal policy it was judged by, the default here.
    expect(policyNote(scenario!.coverage)).toMatchObject({ kind: 'second-signal-policy', policy: 'ignore', declared: false });
    expect(result.stdout).toMatch(/^ {2}note: second signal: `ignore`, the default: a repeated SIGQUIT during the drain must not cut it short/m);
    const report = JSON.parse(readFileSync(scenario!.reportPath!, 'utf8')) as FuzzReport;
    expect(report.coverage).toEqual(scenario!.coverage);
    expect(report.schedulesTried).toBe(3);
    // What the campaign draws from: the declared stop signal alone.
    const drawn = fc.sample(scheduleArbitrary(await loadScenario('scenarios/nginx-quit.yml')), { numRuns: 300, seed: 3 });
    const sent = new Set(drawn.flat().flatMap((e) => ('signal' in e ? [e.signal] : 'signals' in e ? e.signals : [])));
    expect([...sent]).toEqual(['SIGQUIT']);

    const junit = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'testcase' }).parse(readFileSync(out.junit, 'utf8'));
    const testcase = junit.testsuites.testsuite.testcase[0];
    expect(testcase.failure).toBeUndefined();
    expect(testcase['system-out']).toContain('note: not tested: SIGINT — ');
    expect(readFileSync(out.summary, 'utf8')).toMatch(/^- nginx-quit: `SIGHUP` — logrotate/m);
    expect(readFileSync(out.html, 'utf8')).toContain('<li data-signal="SIGTERM"><code>SIGTERM</code>');
    expect(testcase['system-out']).toContain('note: second signal: `ignore`, the default');
    expect(readFileSync(out.summary, 'utf8')).toMatch(/^- nginx-quit: second signal: `ignore`, the default/m);
    expect(readFileSync(out.html, 'utf8')).toContain('data-policy="ignore" data-declared="false">second signal: `ignore`, the default');
  });

  it('a user-written schedule is judged as before: SIGTERM to nginx-quit still answers to the docker stop default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-contract-'));
    const result = await sigstorm(['run', 'scenarios/nginx-quit.yml', '--backend', 'process', '--report-dir', dir, '--events', '[{"at":500,"signal":"SIGTERM"}]']);
    // nginx's fast shutdown cuts the download in flight: a failure the user asked for by sending SIGTERM.
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout).toMatch(/✗ lost-requests: .*truncated/);
  });
});
