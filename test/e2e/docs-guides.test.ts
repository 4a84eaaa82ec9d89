import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FuzzReport } from '../../src/report/fuzz-report.js';
import { scenarioOf } from '../helpers/doc-blocks.js';
import { docCommand } from '../helpers/doc-runs.js';
import { holdsUntilInterrupted, installedProject, npx, printedReport, project } from '../helpers/reader.js';

// The guides' command lines that are not a language's first scenario (test/e2e/docs.test.ts runs those), as a reader
// runs them: `sigstorm init` on a project of their own, the CI gates, shards and merge of the README and the CI
// guide, the flaky-shutdown loop on the zoo's return-on-close, and the stop-model guide's Deployment without preStop.
// Each line is taken from its page and run through `npx` where sigstorm is installed from its tarball.

let installed: string;
beforeAll(async () => {
  installed = await installedProject();
}, 180_000);

/** The README's scenario, as a reader keeps it in scenarios/ beside their service (`app`, a test/fixtures/docs file). */
function readmeScenarios(app: string): Record<string, string | { text: string }> {
  const scenario = scenarioOf('README.md', '## Fuzz your own service');
  return { 'scenarios/api.yml': { text: `${scenario}\n` }, 'scenarios/app.py': `test/fixtures/docs/${app}` };
}

describe('sigstorm init (docs/guides/init.md)', () => {
  it('writes a scenario from each of the files the guide names, and the last one validates, runs and holds a campaign', async () => {
    const page = 'docs/guides/init.md';
    const dir = project(installed, { ...Object.fromEntries(readdirSync('test/fixtures/docs/init').map((f) => [f, `test/fixtures/docs/init/${f}`])), 'app.py': 'test/fixtures/docs/app.py' });
    const lines = ['init', 'init --compose docker-compose.yml --service api', 'init --dockerfile Dockerfile', 'init --k8s deploy.yaml --container web', 'init --systemd api.service', 'init -- python3 app.py', 'init --k8s deploy.yaml -- ./bin/api'];
    for (const pick of lines) {
      rmSync(join(dir, 'sigstorm.yml'), { force: true }); // a reader trying each: init keeps a scenario it finds
      const init = await npx(dir, docCommand(page, pick));
      expect(init.exitCode, `${pick}\n${init.all}`).toBe(0);
      expect(existsSync(join(dir, 'sigstorm.yml')), pick).toBe(true);
    }
    // What the last line wrote: the Deployment's stop (preStop, grace period) and the command as a process.
    const written = readFileSync(join(dir, 'sigstorm.yml'), 'utf8');
    expect(written).toMatch(/model: kubernetes/);
    expect(written).toMatch(/\.\/bin\/api/);
    const validate = await npx(dir, docCommand(page, 'validate sigstorm.yml'));
    expect(validate.exitCode, validate.all).toBe(0);
    const run = await npx(dir, docCommand(page, 'run sigstorm.yml'));
    expect(run.exitCode, `${written}\n${run.all}`).toBe(0);
    await holdsUntilInterrupted(dir, docCommand(page, 'fuzz sigstorm.yml --budget 2m'), 10_000);
  });
});

describe('CI (README "In CI, in one job" and docs/guides/ci.md)', () => {
  it('the gate lines: validate, run with JUnit, and a nightly campaign that holds until interrupted', async () => {
    const dir = project(installed, readmeScenarios('app.py'));
    for (const page of ['README.md', 'docs/guides/ci.md']) {
      const validate = await npx(dir, docCommand(page, 'validate scenarios/'));
      expect(validate.exitCode, validate.all).toBe(0);
      expect(validate.stdout).toMatch(/^ok {2}scenarios\/api\.yml/m);
    }
    const gate = await npx(dir, docCommand('docs/guides/ci.md', 'run scenarios/api.yml'));
    expect(gate.exitCode, gate.all).toBe(0);
    const junit = await npx(dir, docCommand('README.md', 'run scenarios/api.yml --junit sigstorm.xml'));
    expect(junit.exitCode, junit.all).toBe(0);
    expect(readFileSync(join(dir, 'sigstorm.xml'), 'utf8')).toMatch(/<testsuites[^>]* failures="0"/);
    const runNumber = (e: string) => (e === 'github.run_number' ? '42' : e);
    const nightly = docCommand('README.md', 'fuzz scenarios/ --budget 10m --seed', runNumber);
    expect(docCommand('docs/guides/ci.md', 'fuzz scenarios/ --budget 10m --seed', runNumber)).toBe(nightly);
    await holdsUntilInterrupted(dir, nightly, 8_000);
  });

  it('four GitHub shards and their merge, and the Kubernetes Indexed Job: one finding, the same verdict', async () => {
    const page = 'docs/guides/ci.md';
    const shards = project(installed, {});
    for (const shard of [1, 2, 3, 4]) {
      // Each job of the matrix: its own checkout, its reports/ uploaded as sigstorm-shard-N.
      const job = project(installed, readmeScenarios('app-exits-early.py'));
      const ci = (e: string) => ({ 'matrix.shard': String(shard), 'github.run_number': '42' })[e] ?? e;
      const fuzz = await npx(job, docCommand(page, 'fuzz scenarios/ --shard', ci));
      expect(fuzz.exitCode, fuzz.all).toBe(shard === 1 ? 1 : 0);
      cpSync(join(job, 'reports'), join(shards, 'shards', `sigstorm-shard-${shard}`), { recursive: true });
    }
    const merge = await npx(shards, docCommand(page, 'merge shards/*'));
    expect(merge.exitCode, merge.all).toBe(1);
    expect(readFileSync(join(shards, 'sigstorm.xml'), 'utf8')).toMatch(/<testsuites[^>]* failures="1"/);
    expect(existsSync(join(shards, 'sigstorm.html'))).toBe(true);

    // The Job's four pods share a volume; /reports is a directory of this test's.
    const job = project(installed, readmeScenarios('app-exits-early.py'));
    const line = docCommand(page, 'fuzz scenarios/ --backend process --shard').replaceAll('/reports/', `${job}/volume/`);
    for (const index of [0, 1, 2, 3]) {
      const pod = await npx(job, line, { JOB_COMPLETION_INDEX: String(index), BASE_SEED: '20261126' });
      expect(pod.exitCode, pod.all).toBe(index === 0 ? 1 : 0);
    }
    const merged = await npx(job, `merge ${job}/volume/shard-*`);
    expect(merged.exitCode, merged.all).toBe(1);
    expect(merged.stdout).toMatch(/FAIL/);
  });
});

describe('chasing a flaky shutdown (docs/guides/flaky-shutdown.md)', () => {
  it('fuzz finds return-on-close, replay plays its minimal schedule, and replay --against proves the twin fixed', async () => {
    const page = 'docs/guides/flaky-shutdown.md';
    const dir = project(installed, {
      'scenarios/return-on-close.yml': 'scenarios/return-on-close.yml',
      'scenarios/return-on-close-fixed.yml': 'scenarios/return-on-close-fixed.yml',
      'docker-compose.yml': 'docker-compose.yml',
      'targets/go': 'targets/go',
    });
    rmSync(join(dir, 'targets/go/server'), { force: true }); // built by the scenario's prepare step
    const fuzz = await npx(dir, docCommand(page, 'fuzz scenarios/return-on-close.yml --backend process --seed 8'));
    expect(fuzz.exitCode, fuzz.all).toBe(1);
    expect(fuzz.stdout).toMatch(/✗ lost-requests: /);
    const { path } = printedReport<FuzzReport>(dir, fuzz.stdout);
    const runId = /^reports\/return-on-close\/([^/]+)\/report\.json$/.exec(path)?.[1];
    expect(runId, path).toBeDefined();
    const replay = await npx(dir, docCommand(page, 'replay reports/return-on-close/<run-id>/report.json --times 20').replace('<run-id>', runId!));
    expect(replay.exitCode, replay.all).toBe(1);
    expect(replay.stdout).toMatch(/^REPRODUCED {2}return-on-close/);
    const against = await npx(dir, docCommand(page, 'replay --against').replace('…', runId!));
    // 0: fixed, enough clean runs to rule the old rate out; 3: not enough runs to tell. Never 1: the twin drains.
    expect([0, 3], against.all).toContain(against.exitCode);
    expect(against.stdout).toMatch(/^ {2}(fixed|not enough runs to tell): /m);
    expect(against.stdout).not.toMatch(/still fails/);
  });
});

describe('stop models (docs/guides/stop-models.md)', () => {
  it('the Deployment without its preStop sleep loses the requests the endpoints still send, with the endpoint-lag diagnosis', async () => {
    const dir = project(installed, {
      'scenarios/k8s-endpoint-lag.yml': 'scenarios/k8s-endpoint-lag.yml',
      'targets/go': 'targets/go',
      'targets/k8s': 'targets/k8s',
    });
    rmSync(join(dir, 'targets/go/server'), { force: true });
    const run = await npx(dir, docCommand('docs/guides/stop-models.md', 'run scenarios/k8s-endpoint-lag.yml'));
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stdout).toMatch(/✗ lost-requests: \d+ request\(s\) lost around SIGTERM/);
    expect(run.stdout).toMatch(/likely cause \[endpoint-lag, /);
  });
});
