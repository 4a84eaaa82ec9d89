import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { loadResults } from '../../src/session/merge.js';
import { formatProgress } from '../../src/cli/progress.js';
import type { PlayedEvent } from '../../src/schedule/played.js';
import { parseShard, seedFor, selectShard } from '../../src/session/shard.js';
import { toHtml } from '../../src/report/html.js';
import { coverageNotes, secondSignalNote } from '../../src/scenario/coverage.js';
import { secondSignalPolicy } from '../../src/scenario/second-signal.js';
import { toJUnit } from '../../src/report/junit.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { mergeResultSets } from '../../src/report/merge.js';
import { resultSet, skipped, verdictLine, type ScenarioResult } from '../../src/report/result.js';
import { packRows, timelineSvg } from '../../src/report/timeline.js';
import type { TrialRecord } from '../../src/trial/record.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';
import { tempFiles } from '../helpers/files.js';

// The renderers are pure functions of the report model: judged here on hand-written results and a recorded trial.
const outcomes: LedgerEntry['outcome'][] = ['ok', 'ok', 'ok', 'refused', 'reset', 'truncated', 'timeout', 'http-error'];
const ledger: LedgerEntry[] = outcomes.map((outcome, id) => ({
  id, kind: 'request', method: 'GET', path: '/slow', connection: 'fresh', reused: false, sentMs: id * 40, endMs: id * 40 + 300,
  ...(outcome === 'ok' || outcome === 'truncated' ? { firstByteMs: id * 40 + 250 } : {}), outcome, bytes: 0,
}));
const played = (e: Partial<PlayedEvent> & Pick<PlayedEvent, 'kind'>): PlayedEvent => ({ origin: 'schedule', scheduledMs: e.at ?? 0, deliveredMs: e.at ?? 0, ...e }) as PlayedEvent;
const events: PlayedEvent[] = [
  played({ kind: 'storm', at: 50, signals: ['SIGHUP'], count: 3, spacing: 10, to: 'main', deliveries: [50, 60, 70].map((atMs) => ({ signal: 'SIGHUP' as const, atMs })) }),
  played({ kind: 'pause', at: 100, duration: 100, healedMs: 205 }),
  played({ kind: 'partition', at: 210, direction: 'in', mode: 'drop', duration: 50, healedMs: 262 }),
  played({ kind: 'signal', at: 300, signal: 'SIGTERM', to: 'main' }),
  played({ kind: 'signal', at: 3300, signal: 'SIGTERM', to: 'main', origin: 'teardown', deliveredMs: undefined, error: 'target gone' }),
];
const trial: TrialRecord = {
  scenario: { name: 'demo', path: 'scenarios/demo.yml' }, backend: 'process', runId: 'r-1', expect: {}, oracles: {} as TrialRecord['oracles'],
  stopSignal: 'SIGTERM', stopGracePeriodMs: 3000, target: { id: 'p', pid: 100 }, readyAt: '2026-11-26T00:00:00.000Z', readyMonotonicMs: 1, spawnToReadyMs: 20,
  schedule: [], events, checks: [],
  exit: { exitCode: null, signal: 'SIGKILL', status: 137, atMs: 3310, forcedKill: true, killedAtMs: 3305, lingering: [] },
  samples: [0, 100, 200, 300].map((atMs, i) => ({ atMs, processes: [{ pid: 100, ppid: 1, pgid: 100, sid: 100, state: i === 3 ? 'Z' : 'S', comm: 'server', fds: 10 + i, startTime: 1 }] })),
  ledger, files: [], logs: [{ atMs: 1, stream: 'stderr', text: 'panic: <boom> & \u0007bell' }],
};

const failed: ScenarioResult = {
  scenario: { name: 'demo', path: 'scenarios/demo.yml' }, command: 'fuzz', verdict: 'fail', exitCode: 1, backend: 'process', seed: 42, runId: 'r', reportPath: 'reports/demo/r/report.json',
  durationMs: 2500, schedulesTried: 7, trialsRun: 19, steps: ['+300 ms SIGTERM→main'],
  explored: { endedBy: 'failure', durationMs: 900, cells: 9, totalCells: 122, kinds: [{ kind: 'SIGTERM', cells: 7 }, { kind: 'SIGINT', cells: 2 }], stepMs: 25, horizonMs: 1500, latestMs: 300 },
  failures: [{ oracle: 'deadline', verdict: 'fail', kind: 'sigkill-needed', message: 'still running 3000 ms after SIGTERM <x>', evidence: { pid: 100 } }],
  reproduction: { failed: 5, runs: 5, rate: 1, interval: { low: 0.57, high: 1 } },
  replay: 'npx sigstorm replay reports/demo/r/report.json --times 20', trial,
};
const passed: ScenarioResult = { ...failed, scenario: { name: 'demo-fixed', path: 'scenarios/demo-fixed.yml' }, verdict: 'pass', exitCode: 0, steps: [], failures: [], replay: null };
const broken: ScenarioResult = {
  scenario: { name: 'broken', path: 'scenarios/broken.yml' }, command: 'fuzz', verdict: 'unknown', exitCode: 2, durationMs: 0, trialsRun: 0, steps: [], failures: [],
  error: { kind: 'bad-input', message: 'scenarios/broken.yml:1:1: target: expected an object \u001b[31m' },
};

describe('report model', () => {
  it('combines verdicts: any failure fails; the exit status is the worst', () => {
    const set = resultSet([failed, passed, skipped('scenarios/z.yml', 'fail-fast')], { shards: [{ index: 1, total: 2 }] });
    expect(set).toMatchObject({ verdict: 'fail', exitCode: 1, counts: { total: 3, passed: 1, failed: 1, unknown: 0, skipped: 1 } });
    expect(verdictLine(set)).toMatch(/^FAIL {2}3 scenario\(s\): 1 failed, 1 passed, 1 skipped {2}\(shard 1\/2, /);
    expect(resultSet([passed, broken]).exitCode).toBe(2);
    expect(resultSet([passed, broken]).verdict).toBe('unknown');
    expect(resultSet([passed]).verdict).toBe('pass');
  });
});

describe('JUnit', () => {
  const xml = toJUnit(resultSet([failed, passed, broken, skipped('scenarios/z.yml', 'not run: --fail-fast')]));
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testcase', 'property'].includes(name) }).parse(xml);

  it('has one testcase per scenario, with failure, error and skipped elements', () => {
    const suite = doc.testsuites.testsuite;
    expect(doc.testsuites).toMatchObject({ tests: '4', failures: '1', errors: '1', skipped: '1' });
    expect(suite.testcase.map((t: { name: string }) => t.name)).toEqual(['demo', 'demo-fixed', 'broken', 'z']);
    const [fail, pass, error, skip] = suite.testcase;
    expect(fail.failure.type).toBe('deadline/sigkill-needed');
    expect(fail.failure.message).toBe('deadline: still running 3000 ms after SIGTERM <x>');
    expect(fail.failure['#text']).toContain('+300 ms SIGTERM→main');
    expect(fail.failure['#text']).toContain('evidence: {"pid":100}');
    expect(fail.failure['#text']).toContain('replay: npx sigstorm replay reports/demo/r/report.json --times 20');
    expect(pass.failure).toBeUndefined();
    expect(error.error.type).toBe('bad-input');
    expect(error.error.message).not.toContain('\u001b'); // XML 1.0 cannot hold it
    expect(skip.skipped.message).toBe('not run: --fail-fast');
    expect(suite.properties.property).toContainEqual({ name: 'verdict', value: 'fail' });
  });
});

describe('Markdown', () => {
  it('tabulates every scenario and details each failure with its replay command', () => {
    const md = toMarkdown(resultSet([failed, passed], { baseSeed: 7 }));
    expect(md).toMatch(/^## sigstorm: FAIL — 2 scenario\(s\): 1 failed, 1 passed\n/);
    expect(md).toContain('base seed 7');
    expect(md).toContain('| ❌ | demo | fuzz | process | 42 | 19 | 9/122 cells (7%) | 2.5 s | `deadline/sigkill-needed` |');
    expect(md).toContain('| ✅ | demo-fixed |');
    expect(md).toContain('```\n+300 ms SIGTERM→main\n```');
    expect(md).toContain('It reproduces 5/5 (100%, 95% interval 57%–100%).');
    expect(md).toContain('```sh\nnpx sigstorm replay reports/demo/r/report.json --times 20\n```');
  });

  it('lists the signals not tested and, apart, the second-signal policy each scenario was judged by (HTML too)', () => {
    const coverage = [
      ...coverageNotes(['SIGTERM'], []),
      secondSignalNote(secondSignalPolicy({}), 'SIGTERM'),
    ];
    const set = resultSet([{ ...passed, coverage }]);
    const md = toMarkdown(set);
    expect(md).toContain('- demo-fixed: `SIGINT` — Ctrl-C');
    expect(md).not.toContain('`undefined`');
    expect(md).toContain('**Second-signal policy**');
    expect(md).toContain('- demo-fixed: second signal: `ignore`, the default: a repeated SIGTERM during the drain must not cut it short');
    const html = toHtml(set);
    expect(html).toContain('<li data-signal="SIGHUP">');
    expect(html).toMatch(/<h3>Second signal<\/h3><p class="coverage policy" data-policy="ignore" data-declared="false">second signal: `ignore`, the default: /);
    const declared = toHtml(resultSet([{ ...passed, coverage: [secondSignalNote(secondSignalPolicy({ second_signal: { policy: 'force-exit', within: 1000 } }), 'SIGINT')] }]));
    expect(declared).toContain('data-policy="force-exit" data-declared="true">second signal: `force-exit` (declared): a repeated stop signal must end the target within 1000 ms</p>');
    expect(declared).not.toContain('<h3>Not tested</h3>');
  });
});

describe('timeline and HTML', () => {
  it('draws one marker per event and one bar per request, coloured by outcome', () => {
    const svg = timelineSvg(trial);
    expect(svg.match(/<g class="event /g)).toHaveLength(events.length);
    expect(svg.match(/<g class="request /g)).toHaveLength(ledger.length);
    for (const o of new Set(outcomes)) expect(svg).toContain(`class="request outcome-${o}"`);
    expect(svg).toContain('class="band band-pause"');
    expect(svg).toContain('class="band band-partition"');
    // A lasting fault's hover text: the span it held against the span asked (from delivered to healed).
    expect(svg).toContain('healed +205 ms (held 105 of 100 ms)');
    expect(svg).toContain('healed +262 ms (held 52 of 50 ms)');
    expect(svg).toContain('<g class="exit" data-status="137">');
    expect(svg).toContain('SIGKILL by sigstorm');
    expect(svg.match(/<circle class="sample"/g)).toHaveLength(4);
  });

  it('shows operations of every protocol like requests, with kind and status in the hover text', () => {
    const mixed: LedgerEntry[] = [
      { ...ledger[0]!, id: 0, protocol: 'grpc', method: 'UNARY', path: '/zoo.Zoo/Work', connection: 'keep-alive', outcome: 'reset', status: 1, code: 'CANCELLED', error: 'Call cancelled' },
      { ...ledger[1]!, id: 1, protocol: 'tcp', method: 'TCP', path: 'PUT 1\\n', outcome: 'wrong-reply', error: 'ERR' },
      { ...ledger[2]!, id: 2, kind: 'job', protocol: 'redis', method: 'LPUSH', path: 'jobs', jobId: 2, outcome: 'ok' },
      { ...ledger[3]!, id: 3, kind: 'stream', protocol: 'grpc', method: 'STREAM', path: '/zoo.Zoo/Ticks', outcome: 'rpc-error', status: 13, code: 'INTERNAL' },
    ];
    const svg = timelineSvg({ ...trial, ledger: mixed });
    expect(svg).toContain('#0 UNARY /zoo.Zoo/Work (grpc, request, keep-alive): reset CANCELLED');
    expect(svg).toContain('#1 TCP PUT 1\\n (tcp, request, fresh): wrong-reply');
    expect(svg).toContain('#2 LPUSH jobs (redis, job, fresh): ok');
    expect(svg).toContain('class="request outcome-rpc-error"');
    expect(svg).toContain('>operations</text>');
    const html = toHtml(resultSet([{ ...failed, trial: { ...trial, ledger: mixed } }]));
    expect(html).toContain('1 grpc request(s), 1 tcp request(s), 1 job(s), 1 grpc stream(s)');
  });

  it('packs request bars into rows without overlap', () => {
    const rows = packRows(ledger);
    for (const [i, a] of ledger.entries()) {
      for (const [j, b] of ledger.entries()) {
        if (i < j && rows[i] === rows[j]) expect(a.endMs <= b.sentMs || b.endMs <= a.sentMs).toBe(true);
      }
    }
    expect(Math.max(...rows)).toBeLessThan(ledger.length);
  });

  it('is one self-contained page: no script, no external resource, text escaped', () => {
    const html = toHtml(resultSet([failed, passed]));
    expect(html).not.toMatch(/<script|<link|@import|url\(|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('panic: &lt;boom&gt; &amp;');
    expect(html).toContain('still running 3000 ms after SIGTERM &lt;x&gt;');
    expect(html).toContain('npx sigstorm replay reports/demo/r/report.json --times 20');
  });
});

describe('shards', () => {
  const paths = ['scenarios/b.yml', 'scenarios/a.yml', 'scenarios/d.yml', 'scenarios/c.yml', 'scenarios/e.yml'];

  it('split the sorted scenarios disjointly and completely, whatever order they were given in', () => {
    const shards = [1, 2, 3].map((index) => selectShard(paths, { index, total: 3 }));
    expect(shards).toEqual([['scenarios/a.yml', 'scenarios/d.yml'], ['scenarios/b.yml', 'scenarios/e.yml'], ['scenarios/c.yml']]);
    expect(selectShard([...paths].reverse(), { index: 2, total: 3 })).toEqual(shards[1]);
    expect(shards.flat().sort()).toEqual([...paths].sort());
    expect(selectShard(paths, undefined)).toEqual(paths);
  });

  it('parse k/n and refuse anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0', '-1/2']) expect(() => parseShard(bad), bad).toThrow(/--shard: expected k\/n/);
  });

  it('derive each scenario’s seed from the base seed and its path alone', () => {
    expect(seedFor(7, 'scenarios/a.yml')).toBe(seedFor(7, './scenarios/a.yml'));
    expect(seedFor(7, 'scenarios/a.yml')).not.toBe(seedFor(7, 'scenarios/b.yml'));
    expect(seedFor(7, 'scenarios/a.yml')).not.toBe(seedFor(8, 'scenarios/a.yml'));
    expect(seedFor(7, 'scenarios/a.yml')).toBeGreaterThanOrEqual(0);
    expect(seedFor(7, 'scenarios/a.yml')).toBeLessThan(2 ** 31);
  });

  it('merge into one verdict; a missing shard is an infrastructure failure', () => {
    const one = resultSet([passed], { shards: [{ index: 1, total: 2 }], baseSeed: 7 });
    const two = resultSet([failed], { shards: [{ index: 2, total: 2 }], baseSeed: 7 });
    const merged = mergeResultSets([two, one]);
    expect(merged).toMatchObject({ verdict: 'fail', exitCode: 1, baseSeed: 7, counts: { total: 2, failed: 1, passed: 1 }, shards: [{ index: 1, total: 2 }, { index: 2, total: 2 }] });
    expect(merged.scenarios.map((s) => s.scenario.path)).toEqual(['scenarios/demo-fixed.yml', 'scenarios/demo.yml']);
    expect(merged.missingShards).toBeUndefined();
    const partial = mergeResultSets([one]);
    expect(partial).toMatchObject({ verdict: 'unknown', exitCode: 3, missingShards: [{ index: 2, total: 2 }] });
  });
});

describe('progress', () => {
  it('shows scenario, schedules done (of --runs, when set), trials, failures, shrink steps, cells of the fault space, elapsed of budget', () => {
    const p = { scenario: 'demo', schedulesTried: 12, trials: 31, failures: 1, shrinkSteps: 3, cells: { drawn: 20, total: 366 }, elapsedMs: 14_000, budgetMs: 300_000, message: '' };
    expect(formatProgress({ ...p, phase: 'exploring' }, { index: 1, total: 5 })).toBe('[2/5] 0:14/5:00  demo  exploring  12 schedules · 31 trials · 1 failure · 20/366 cells');
    expect(formatProgress({ ...p, runs: 50, phase: 'exploring' })).toBe('0:14/5:00  demo  exploring  12/50 schedules · 31 trials · 1 failure · 20/366 cells');
    // a guided campaign: schedules drawn from its corpus, and its entries
    expect(formatProgress({ ...p, phase: 'exploring', corpus: { drawn: 3, entries: 9 } })).toBe('0:14/5:00  demo  exploring  12 schedules · 31 trials · 1 failure · 20/366 cells · 3 from a corpus of 9');
    expect(formatProgress({ ...p, phase: 'shrinking' })).toBe('0:14/5:00  demo  shrinking  12 schedules · 31 trials · 1 failure · 3 shrink steps · 20/366 cells');
  });
});

describe('merge inputs', () => {
  const fuzzReport = (createdAt: string, verdict: 'pass' | 'fail') => ({
    schemaVersion: 1, tool: { name: 'sigstorm', version: '0' }, command: 'fuzz', runId: createdAt, createdAt, scenario: { name: 'demo', path: 'scenarios/demo.yml' },
    backend: 'process', seed: 1, path: null, schedulesTried: 1, trialsRun: 1, infrastructureErrors: 0, durationMs: 10, timeToFirstFailureMs: null, verdict, interrupted: false,
    complete: true, outcome: verdict === 'pass' ? { kind: 'passed' } : { kind: 'failed', signature: 'deadline/sigkill-needed', minimal: [], original: [], shrinkSteps: 0, reproduction: { failed: 1, runs: 1, rate: 1, interval: { low: 0.2, high: 1 } }, failures: [] },
    minimalSteps: [], findings: [], shrinkBudgetExhausted: false, replay: null,
  });

  it('a directory without result.json counts its report.json files, the newest per scenario', async () => {
    const dir = tempFiles({});
    for (const [run, created, verdict] of [['a', '2026-11-25T00:00:00.000Z', 'fail'], ['b', '2026-11-26T00:00:00.000Z', 'pass']] as const) {
      mkdirSync(join(dir, 'demo', run), { recursive: true });
      writeFileSync(join(dir, 'demo', run, 'report.json'), JSON.stringify(fuzzReport(created, verdict)));
    }
    const sets = await loadResults(dir);
    expect(sets.map((s) => s.scenarios.map((x) => x.verdict))).toEqual([['pass']]);
    // A result.json, where there is one, is what counts.
    writeFileSync(join(dir, 'result.json'), JSON.stringify(resultSet([failed])));
    expect((await loadResults(dir)).map((s) => s.verdict)).toEqual(['fail']);
    await expect(loadResults(join(dir, 'nothing'))).rejects.toThrow(/no such file or directory/);
  });
});
