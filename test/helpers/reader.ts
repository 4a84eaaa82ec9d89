import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import type { FuzzReport } from '../../src/report/fuzz-report.js';
import { sleep } from '../../src/time.js';

// A reader of the documentation: their own project with sigstorm installed from its tarball, as the README's
// install section says, and the documented command lines run there through `npx`, as they would type them.

/** npm's settings for the install: the cache `npm ci` filled first, and no audit or funding requests. */
const npmEnv = { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/**
 * A project with sigstorm installed as a dev dependency: `npm pack` of this checkout (dist/ is built before the
 * tests), then `install` (the README's line, or the plain form) run in the project with the tarball where the line
 * expects it. Returns the project's directory. Made once per test run (the test files' processes share a parent):
 * the first file to ask installs, the others wait for it.
 */
export async function installedProject(install = 'npm install --save-dev ./sigstorm/sigstorm-0.1.0.tgz'): Promise<string> {
  const dir = join(tmpdir(), `sigstorm-reader-${process.ppid}-${createHash('sha1').update(install).digest('hex').slice(0, 8)}`);
  const done = join(dir, '.installed');
  try {
    mkdirSync(dir);
  } catch {
    for (let i = 0; i < 1800 && !existsSync(done); i++) await sleep(100);
    if (!existsSync(done)) throw new Error(`${dir}: another test file's install did not finish`);
    return dir;
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'reader', version: '1.0.0', private: true }, null, 2)}\n`);
  const tarball = /\.\/(\S+\.tgz)/.exec(install)?.[1];
  if (!tarball) throw new Error(`no tarball in "${install}"`);
  mkdirSync(join(dir, dirname(tarball)), { recursive: true });
  await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', join(dir, dirname(tarball))], { cwd: resolve('.'), env: npmEnv });
  await execa('sh', ['-c', install], { cwd: dir, env: npmEnv, stdin: 'ignore' });
  writeFileSync(done, '');
  return dir;
}

/**
 * A directory of the reader's: `files` (its path → a file or directory of this repository, or `{ text }`) beside
 * the installed project's package.json and node_modules.
 */
export function project(installed: string, files: Record<string, string | { text: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigstorm-docs-'));
  cpSync(join(installed, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(installed, 'node_modules'), join(dir, 'node_modules'));
  for (const [name, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    if (typeof source === 'string') cpSync(resolve(source), join(dir, name), { recursive: true });
    else writeFileSync(join(dir, name), source.text);
  }
  return dir;
}

/** A documented line (what follows `npx sigstorm`), run through `sh` in `dir`; CI is set, as in a pipeline. */
export const npx = (dir: string, command: string, env: Record<string, string> = {}) =>
  execa('sh', ['-c', `npx sigstorm ${command}`], { cwd: dir, reject: false, all: true, stdin: 'ignore', env: { CI: 'true', ...env } });

/**
 * A documented line interrupted as a reader's Ctrl-C does: SIGINT to its process group `afterMs` after it started (a
 * campaign on a service that holds explores until its budget is spent).
 */
export async function interrupted(dir: string, command: string, afterMs: number, env: Record<string, string> = {}) {
  const child = execa('sh', ['-c', `exec npx sigstorm ${command}`], { cwd: dir, reject: false, all: true, stdin: 'ignore', detached: true, env: { CI: 'true', ...env } });
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGINT'), afterMs);
  const result = await child;
  clearTimeout(timer);
  return result;
}

/** The report a command printed (`report: <path>`, relative to the directory it ran in), parsed. */
export function printedReport<T>(dir: string, stdout: string): { path: string; report: T } {
  const path = /^ {2}report: (\S+\.json)$/m.exec(stdout)?.[1];
  if (!path) throw new Error(`no "report:" line in:\n${stdout}`);
  return { path, report: JSON.parse(readFileSync(resolve(dir, path), 'utf8')) as T };
}

/**
 * A documented `fuzz` line against a service that holds, interrupted after `ms`: 130 as the reader's shell sees it
 * (npx passes the interrupt on, then ends by it), the partial report written, and every trial it ran passed.
 */
export async function holdsUntilInterrupted(dir: string, command: string, ms: number) {
  const fuzz = await interrupted(dir, command, ms);
  expect(fuzz.exitCode ?? (fuzz.signal === 'SIGINT' ? 130 : fuzz.signal), fuzz.all).toBe(130);
  const { report } = printedReport<FuzzReport>(dir, fuzz.stdout);
  expect(report.interrupted, fuzz.all).toBe(true);
  // An infrastructure error is retried (a loaded machine's start-up can time out); most trials must have run.
  expect(report.trialsRun - 2 * report.infrastructureErrors, fuzz.all).toBeGreaterThan(0);
  expect(report.outcome.kind, fuzz.all).not.toBe('failed');
  expect(report.error, fuzz.all).toBeUndefined();
  return { fuzz, report };
}
