import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../../src/trial/record.js';
import { codeBlocks } from '../helpers/doc-blocks.js';

// The README's "Fuzz your own service", as a reader follows it: its scenario, copied out of the README into a
// directory beside a small Python service, validated and run for real (process backend) against the service that
// drains and against one that exits before the drain (test/fixtures/docs/). One schedule each, the README's own.
// Then the first scenario of the Go, Node and Python guides, copied out the same way, against a real service of
// that kind: the zoo's Go and Node services (graceful, and with the bug the guide lists first) and gunicorn.

const bin = resolve('bin/sigstorm.js');

/** The first YAML block of a page under a heading. */
function scenarioOf(page: string, heading: string): string {
  const from = readFileSync(page, 'utf8').split('\n').indexOf(heading) + 1;
  const block = codeBlocks(page).find((b) => b.line > from && b.lang === 'yaml');
  if (!from || !block) throw new Error(`${page}: no YAML block under "${heading}"`);
  return block.text;
}

/** A reader's project: a page's scenario as sigstorm.yml beside the files of their service (name → source). */
function project(scenario: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigstorm-docs-'));
  writeFileSync(join(dir, 'sigstorm.yml'), `${scenario}\n`);
  for (const [name, source] of Object.entries(files)) copyFileSync(resolve(source), join(dir, name));
  return dir;
}

const readmeProject = (app: string) => project(scenarioOf('README.md', '## Fuzz your own service'), { 'app.py': `test/fixtures/docs/${app}` });

/** sigstorm in the project's directory; the target, a process, inherits `env` (the zoo services read ZOO_MODE). */
const sigstorm = (dir: string, args: string[], env: Record<string, string> = {}) =>
  execa('node', [bin, ...args], { cwd: dir, reject: false, all: true, stdin: 'ignore', env: { CI: 'true', ...env } });

const runOnce = (dir: string, env: Record<string, string> = {}, more: string[] = []) =>
  sigstorm(dir, ['run', 'sigstorm.yml', '--backend', 'process', '--report-dir', join(dir, 'reports'), ...more], env);

/** Whether the trial of a `run`'s report (its path printed on `report:`) had a request in flight at its first signal that was sent over 50 ms before it. */
function hadInFlight(stdout: string): boolean {
  const path = /^ {2}report: (.+\.json)$/m.exec(stdout)?.[1];
  if (!path) return false;
  const record = (JSON.parse(readFileSync(path, 'utf8')) as { trial?: TrialRecord }).trial;
  const signalMs = record?.events.find((e) => e.deliveredMs !== undefined)?.deliveredMs;
  if (!record || signalMs === undefined) return false;
  return record.ledger.some((e) => e.sentMs < signalMs - 50 && e.endMs > signalMs);
}

/**
 * A run against a service that loses what is in flight, decisive: one whose trial had a request in flight at the signal
 * (its record's own ledger). A busy machine's workload may have had none then, and such a run passes rightly; up to
 * four runs are made for one that had.
 */
async function decisiveRun(dir: string, env: Record<string, string> = {}) {
  let run = await runOnce(dir, env);
  for (let tries = 1; tries < 4 && !hadInFlight(run.stdout); tries++) run = await runOnce(dir, env);
  expect(hadInFlight(run.stdout), run.all).toBe(true);
  return run;
}

describe("the README's own scenario", () => {
  it('validates, and passes one run against a service that drains', async () => {
    const dir = readmeProject('app.py');
    const validate = await sigstorm(dir, ['validate', 'sigstorm.yml']);
    expect(validate.exitCode, validate.all).toBe(0);
    expect(validate.stdout).toMatch(/^ok {2}sigstorm\.yml/m);
    const run = await runOnce(dir);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toMatch(/^PASS {2}sigstorm {2}\(process backend\)/m);
    expect(run.stdout).toMatch(/✓ lost-requests: no request lost/);
  });

  it('fails a run against a service that exits before the drain, with the requests it lost', async () => {
    const run = await decisiveRun(readmeProject('app-exits-early.py'));
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stdout).toMatch(/✓ exit-status: exited 0 after SIGTERM/);
    expect(run.stdout).toMatch(/✗ lost-requests: \d+ request\(s\) lost around SIGTERM/);
    expect(run.stdout).toMatch(/^ {2}replay: npx sigstorm run sigstorm\.yml /m);
  });
});

describe("the language guides' first scenarios", () => {
  const goSources = Object.fromEntries(
    readdirSync('targets/go')
      .filter((f) => f.endsWith('.go') || f === 'go.mod')
      .map((f) => [f, `targets/go/${f}`]),
  );

  it('Go: builds the service (prepare) and passes against the graceful one; return-on-close loses requests', async () => {
    const dir = project(scenarioOf('docs/guides/go.md', '## A first scenario'), goSources);
    const graceful = await runOnce(dir);
    expect(graceful.exitCode, graceful.all).toBe(0);
    const buggy = await decisiveRun(dir, { ZOO_MODE: 'return-on-close' });
    expect(buggy.exitCode, buggy.all).toBe(1);
    expect(buggy.stdout).toMatch(/✗ lost-requests: \d+ request\(s\) lost around SIGTERM/);
  });

  it('Node: passes against the graceful service; process.exit() in the handler loses requests', async () => {
    const dir = project(scenarioOf('docs/guides/node.md', '## A first scenario'), { 'server.js': 'targets/node/server.js' });
    const graceful = await runOnce(dir);
    expect(graceful.exitCode, graceful.all).toBe(0);
    const buggy = await decisiveRun(dir, { ZOO_MODE: 'exit-at-once' });
    expect(buggy.exitCode, buggy.all).toBe(1);
    expect(buggy.stdout).toMatch(/✗ lost-requests: \d+ request\(s\) lost around SIGTERM/);
  });

  it('Python: gunicorn drains on SIGTERM and stays up through a SIGHUP reload', async () => {
    const dir = project(scenarioOf('docs/guides/python.md', '## A first scenario'), { 'app.py': 'test/fixtures/docs/gunicorn/app.py' });
    const term = await runOnce(dir);
    expect(term.exitCode, term.all).toBe(0);
    const hup = await runOnce(dir, {}, ['--events', '[{"at":300,"signal":"SIGHUP"}]']);
    expect(hup.exitCode, hup.all).toBe(0);
    expect(hup.stdout).toMatch(/✓ alive: \d+ ms after SIGHUP/);
  });
});
