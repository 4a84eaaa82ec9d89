import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { codeBlocks } from '../helpers/doc-blocks.js';

// The README's "Fuzz your own service", as a reader follows it: its scenario, copied out of the README into a
// directory beside a small Python service, validated and run for real (process backend) against the service that
// drains and against one that exits before the drain (test/fixtures/docs/). One schedule each, the README's own.

const bin = resolve('bin/sigstorm.js');

/** The first YAML block under the README's "## Fuzz your own service". */
function readmeScenario(): string {
  const readme = readFileSync('README.md', 'utf8');
  const from = readme.split('\n').findIndex((line) => line === '## Fuzz your own service') + 1;
  const block = codeBlocks('README.md').find((b) => b.line > from && b.lang === 'yaml');
  if (!from || !block) throw new Error('README: no YAML block under "## Fuzz your own service"');
  return block.text;
}

/** A reader's project: the README's scenario as sigstorm.yml beside `app.py`. */
function project(app: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigstorm-readme-'));
  writeFileSync(join(dir, 'sigstorm.yml'), `${readmeScenario()}\n`);
  copyFileSync(resolve('test/fixtures/docs', app), join(dir, 'app.py'));
  return dir;
}

const sigstorm = (dir: string, args: string[]) =>
  execa('node', [bin, ...args], { cwd: dir, reject: false, all: true, stdin: 'ignore', env: { CI: 'true' } });

describe("the README's own scenario", () => {
  it('validates, and passes one run against a service that drains', async () => {
    const dir = project('app.py');
    const validate = await sigstorm(dir, ['validate', 'sigstorm.yml']);
    expect(validate.exitCode, validate.all).toBe(0);
    expect(validate.stdout).toMatch(/^ok {2}sigstorm\.yml/m);
    const run = await sigstorm(dir, ['run', 'sigstorm.yml', '--backend', 'process', '--report-dir', join(dir, 'reports')]);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toMatch(/^PASS {2}sigstorm {2}\(process backend\)/m);
    expect(run.stdout).toMatch(/✓ lost-requests: no request lost/);
  });

  it('fails one run against a service that exits before the drain, with the requests it lost', async () => {
    const dir = project('app-exits-early.py');
    const run = await sigstorm(dir, ['run', 'sigstorm.yml', '--backend', 'process', '--report-dir', join(dir, 'reports')]);
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stdout).toMatch(/✓ exit-status: exited 0 after SIGTERM/);
    expect(run.stdout).toMatch(/✗ lost-requests: \d+ request\(s\) lost around SIGTERM/);
    expect(run.stdout).toMatch(/^ {2}replay: npx sigstorm run sigstorm\.yml /m);
  });
});
