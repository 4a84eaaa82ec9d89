import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { ResultSet } from '../../src/report/result.js';
import { launchChromium } from '../helpers/chromium.js';
import { sigstorm } from '../helpers/cli.js';

const newDir = () => mkdtempSync(join(tmpdir(), 'sigstorm-reports-'));
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const parseJUnit = (path: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testcase', 'property'].includes(name) }).parse(readFileSync(path, 'utf8'));
// Small, quick campaigns on the process backend: real targets, real signals, real traffic.
const quick = (runs = 4, confirm = 2) => ['--backend', 'process', '--runs', String(runs), '--confirm', String(confirm), '--budget', '20s'];

describe('reports', () => {
  it('a failing campaign writes JSON, JUnit, Markdown and HTML; the timeline renders in Chromium with every event and request', async () => {
    const dir = newDir();
    const stepSummary = join(dir, 'step-summary.md');
    writeFileSync(stepSummary, '# an earlier step\n');
    const out = { junit: join(dir, 'junit.xml'), summary: join(dir, 'summary.md'), html: join(dir, 'all.html') };
    const result = await sigstorm(
      ['fuzz', 'scenarios/return-on-close.yml', 'scenarios/sigint-only-fixed.yml', ...quick(6, 3), '--seed', '5',
        '--report-dir', dir, '--junit', out.junit, '--summary', out.summary, '--html', out.html],
      { env: { GITHUB_STEP_SUMMARY: stepSummary } },
    );
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^FAIL {2}2 scenario\(s\): 1 failed, 1 passed {2}\(/);
    // Not a terminal: plain progress lines on stderr.
    expect(result.stderr).toMatch(/^sigstorm: \[1\/2\] fuzzing scenarios\/return-on-close\.yml$/m);
    expect(result.stderr).toMatch(/^sigstorm: \[1\/2\] \d:\d\d\/0:20 {2}return-on-close {2}exploring {2}\d+\/6 schedules · /m);

    // JSON: the combined result, with the minimal failing trial kept.
    const set = readJson<ResultSet>(join(dir, 'result.json'));
    expect(set).toMatchObject({ kind: 'sigstorm-results', verdict: 'fail', exitCode: 1, baseSeed: 5, counts: { total: 2, failed: 1, passed: 1 } });
    const failing = set.scenarios.find((s) => s.verdict === 'fail')!;
    expect(failing.scenario.path).toBe('scenarios/return-on-close.yml');
    expect(failing.failures.map((f) => f.oracle)).toContain('lost-requests');
    const trial = failing.trial!;
    expect(trial.ledger.length).toBeGreaterThan(0);
    expect(readJson<{ trial: unknown }>(failing.reportPath!).trial).toEqual(trial);

    // JUnit, read back by an XML parser: a testcase per scenario, the failure with the steps and the replay command.
    const junit = parseJUnit(out.junit);
    expect(junit.testsuites).toMatchObject({ tests: '2', failures: '1', errors: '0', skipped: '0' });
    const cases = junit.testsuites.testsuite.testcase as { name: string; file: string; failure?: { message: string; type: string; '#text': string } }[];
    expect(cases.map((c) => c.name).sort()).toEqual(['return-on-close', 'sigint-only-fixed']);
    const failure = cases.find((c) => c.name === 'return-on-close')!.failure!;
    expect(failure.type).toMatch(/^lost-requests\//);
    expect(failure['#text']).toContain(`replay: ${failing.replay}`);
    expect(failure['#text']).toContain(`minimal failing schedule (${failing.steps.length} event(s)):\n  ${failing.steps[0]}`);
    expect(cases.find((c) => c.name === 'sigint-only-fixed')!.failure).toBeUndefined();

    // Markdown, to the file and appended to the GitHub step summary.
    const markdown = readFileSync(out.summary, 'utf8');
    expect(markdown).toMatch(/^## sigstorm: FAIL — 2 scenario\(s\): 1 failed, 1 passed/);
    expect(markdown).toContain(failing.replay!);
    expect(readFileSync(stepSummary, 'utf8')).toBe(`# an earlier step\n${markdown}\n`);

    // HTML: the combined page, and one per run beside its report.json.
    expect(readFileSync(out.html, 'utf8')).toContain('<svg class="timeline"');
    const page = join(dirname(failing.reportPath!), 'report.html');
    expect(existsSync(page)).toBe(true);

    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.setViewport({ width: 1200, height: 900 });
      const fetched: string[] = [];
      tab.on('request', (r) => fetched.push(r.url()));
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      const dom = await tab.evaluate(() => {
        const svg = document.querySelector('svg.timeline')!;
        const box = svg.getBoundingClientRect();
        const requests = [...svg.querySelectorAll('g.request')];
        return {
          events: svg.querySelectorAll('g.event').length,
          requests: requests.length,
          outcomes: requests.map((g) => g.getAttribute('data-outcome')),
          barsInside: requests.every((g) => {
            const r = g.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && r.left >= box.left && r.right <= box.right + 0.5;
          }),
          exits: svg.querySelectorAll('g.exit').length,
          samples: svg.querySelectorAll('circle.sample').length,
          scripts: document.scripts.length,
        };
      });
      expect(dom.events).toBe(trial.events.length);
      expect(dom.requests).toBe(trial.ledger.length);
      expect(dom.outcomes).toEqual(trial.ledger.map((e) => e.outcome));
      expect(dom.barsInside).toBe(true);
      expect(dom.exits).toBe(1);
      expect(dom.samples).toBe(trial.samples.length);
      expect(dom.scripts).toBe(0);
      expect(fetched).toEqual([pathToFileURL(page).href]); // self-contained: nothing else is fetched
      await tab.screenshot({ path: join(dir, 'timeline.png'), fullPage: true });
      expect(readFileSync(join(dir, 'timeline.png')).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  });

  it('--fail-fast skips the scenarios after the first confirmed failure; --json --quiet prints the result as JSON and nothing else', async () => {
    const dir = newDir();
    const junit = join(dir, 'junit.xml');
    const result = await sigstorm(['fuzz', 'scenarios/sigint-only.yml', 'scenarios/sigint-only-fixed.yml', ...quick(), '--seed', '3', '--fail-fast', '--json', '--quiet', '--report-dir', dir, '--junit', junit]);
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stderr).toBe('');
    const set = JSON.parse(result.stdout) as ResultSet;
    expect(set.scenarios.map((s) => [s.scenario.name, s.verdict])).toEqual([['sigint-only', 'fail'], ['sigint-only-fixed', 'skipped']]);
    expect(set).toMatchObject({ verdict: 'fail', exitCode: 1, counts: { total: 2, failed: 1, skipped: 1 } });
    const cases = parseJUnit(junit).testsuites.testsuite.testcase as { name: string; skipped?: { message: string } }[];
    expect(cases[1]!.skipped!.message).toMatch(/--fail-fast/);
  });

  it('two shards and merge give the same scenarios, verdicts and exit status as one unsharded run', async () => {
    const scenarios = ['scenarios/sigint-only.yml', 'scenarios/sigint-only-fixed.yml', 'scenarios/hup-unhandled.yml', 'scenarios/hup-unhandled-fixed.yml'];
    const dirs = [newDir(), newDir(), newDir()];
    const fuzzInto = (dir: string, more: string[] = []) => sigstorm(['fuzz', ...scenarios, ...quick(), '--seed', '11', '--quiet', '--report-dir', dir, ...more]);
    const [whole, first, second] = await Promise.all([fuzzInto(dirs[0]!), fuzzInto(dirs[1]!, ['--shard', '1/2']), fuzzInto(dirs[2]!, ['--shard', '2/2'])]);
    for (const r of [whole, first, second]) {
      expect(r.stderr, r.all).toBe('');
      expect(r.stdout.trim().split('\n'), r.all).toHaveLength(1); // --quiet: the verdict line alone
    }
    const sets = dirs.map((d) => readJson<ResultSet>(join(d, 'result.json')));
    const verdicts = (set: ResultSet) => set.scenarios.map((s) => [s.scenario.path, s.verdict, s.seed]).sort();
    // Each scenario in exactly one shard, with the seed it had in the unsharded run.
    expect([...verdicts(sets[1]!), ...verdicts(sets[2]!)].sort()).toEqual(verdicts(sets[0]!));
    expect(sets[1]!.scenarios.length + sets[2]!.scenarios.length).toBe(scenarios.length);
    expect(new Set(verdicts(sets[0]!).map((v) => v[1]))).toEqual(new Set(['fail', 'pass']));

    const junit = join(dirs[0]!, 'merged.xml');
    const merged = await sigstorm(['merge', dirs[1]!, dirs[2]!, '--json', '--junit', junit]);
    expect(merged.exitCode, merged.all).toBe(whole.exitCode);
    const set = JSON.parse(merged.stdout) as ResultSet;
    expect(verdicts(set)).toEqual(verdicts(sets[0]!));
    expect(set).toMatchObject({ verdict: sets[0]!.verdict, counts: sets[0]!.counts, shards: [{ index: 1, total: 2 }, { index: 2, total: 2 }] });
    const cases = parseJUnit(junit).testsuites.testsuite.testcase as { file: string }[];
    expect(cases.map((c) => c.file).sort()).toEqual([...scenarios].sort());

    // A shard that never reported leaves scenarios untested: that is not a pass.
    const partial = await sigstorm(['merge', join(dirs[1]!, 'result.json')]);
    expect(partial.exitCode).toBe(3);
    expect(partial.stderr).toContain('no result for shard 2/2');
  });
});
