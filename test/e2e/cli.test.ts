import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureImage } from '../../src/backends/docker/image.js';
import { runPrepare } from '../../src/backends/prepare.js';
import { isAlive } from '../../src/host/procfs.js';
import { RULE_COMMENT } from '../../src/backends/docker/iptables.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { Report } from '../../src/report/report.js';
import { sigstorm } from '../helpers/cli.js';
import { containersWithLabel } from '../helpers/docker.js';
import { newStateDir, reachedPhase, sweepStateDirs } from '../helpers/leftovers.js';

const newReportDir = () => mkdtempSync(join(tmpdir(), 'sigstorm-cli-'));

function onlyReport(dir: string, scenario: string): Report {
  const runs = readdirSync(join(dir, scenario));
  expect(runs).toHaveLength(1);
  return JSON.parse(readFileSync(join(dir, scenario, runs[0]!, 'report.json'), 'utf8')) as Report;
}

afterAll(sweepStateDirs);

describe('sigstorm CLI', () => {
  it('run: the shell-form entrypoint exits 1 and the report says 137 after the grace period', async () => {
    const dir = newReportDir();
    const result = await sigstorm(['run', 'scenarios/shell-form.yml', '--report-dir', dir]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}shell-form {2}\(docker backend\)/);
    expect(result.stdout).toMatch(/replay: npx sigstorm run scenarios\/shell-form\.yml --backend docker/);
    const report = onlyReport(dir, 'shell-form');
    expect(report).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'sigstorm' },
      command: 'run',
      scenario: { name: 'shell-form' },
      backend: 'docker',
      seed: null,
      trialsRun: 1,
      verdict: 'fail',
      interrupted: false,
    });
    expect(report.trial!.exit).toMatchObject({ status: 137, forcedKill: true });
    expect(report.trial!.exit.killedAtMs! - report.trial!.events[0]!.deliveredMs!).toBeGreaterThanOrEqual(3000);
    expect(report.failures.map((f) => f.oracle)).toEqual(['exit-status', 'deadline']);
  });

  it('run: the fixed twin exits 0, on docker and on the process backend', async () => {
    const dir = newReportDir();
    for (const backend of ['docker', 'process']) {
      const result = await sigstorm(['run', 'scenarios/shell-form-fixed.yml', '--backend', backend, '--report-dir', dir]);
      expect(result.exitCode, result.all).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^PASS {2}shell-form-fixed {2}\\(${backend} backend\\)`));
    }
  });

  it('run --backend process: the shell-form bug fails the same way, leaving the service orphaned', async () => {
    const dir = newReportDir();
    const result = await sigstorm(['run', 'scenarios/shell-form.yml', '--backend', 'process', '--report-dir', dir, '--json']);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.trial!.exit.lingering.map((p) => p.comm)).toEqual(['server']);
    // Nothing of the target outlives the run (a zombie awaiting its reaper is dead already).
    for (const p of report.trial!.exit.lingering) expect(isAlive(p.pid)).toBe(false);
  });

  it('run --schedule plays a YAML schedule file', async () => {
    const dir = newReportDir();
    const file = join(dir, 'schedule.yml');
    writeFileSync(file, '- { at: 80ms, signal: SIGINT }\n');
    const result = await sigstorm(['run', 'scenarios/sigint-only-fixed.yml', '--backend', 'process', '--schedule', file, '--report-dir', dir]);
    expect(result.exitCode, result.all).toBe(0);
    // Played at its time from the file (`80ms` read as 80 ms); when it was delivered is the machine's: never before.
    const delivered = /\+80 ms SIGINT→main {2}delivered \+(\d+) ms via host-pid/.exec(result.stdout);
    expect(delivered, result.stdout).not.toBeNull();
    expect(Number(delivered![1])).toBeGreaterThanOrEqual(80);
  });

  it('validate: a wrong key or type exits 2 and names the file, line and key path', async () => {
    const dir = newReportDir();
    const file = join(dir, 'broken.yml');
    writeFileSync(file, 'target:\n  image: x\n  stop_grace_period: ten seconds\n  entry_point: [/app]\n');
    const result = await sigstorm(['validate', 'scenarios', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/^ok {2}scenarios\/shell-form\.yml/m);
    // The second-signal policy in force: declared, or the default.
    expect(result.stdout).toMatch(/^ok {2}scenarios\/double-close\.yml .*; second signal: ignore \(declared\)\)$/m);
    expect(result.stdout).toMatch(/^ok {2}scenarios\/repeat-sigint-stops\.yml .*; second signal: ignore \(the default\)\)$/m);
    expect(result.stderr).toContain(`${file}:3:22: target.stop_grace_period: expected a duration`);
    expect(result.stderr).toContain(`${file}:4:3: target.entry_point: unknown key; expected one of:`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('run: bad input exits 2 with a message, never a stack trace', async () => {
    for (const args of [['run', 'scenarios/missing.yml'], ['run', 'scenarios/shell-form.yml', '--events', '[{"at":0,"signal":"SIGNOPE"}]'], ['run'], ['explode']]) {
      const result = await sigstorm(args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^sigstorm: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('run --backend docker exits 3 and says how to start an engine when none answers', async () => {
    const result = await sigstorm(['run', 'scenarios/shell-form.yml', '--backend', 'docker'], {
      env: { DOCKER_HOST: `unix://${join(newReportDir(), 'no-engine.sock')}` },
    });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/No Docker engine answers at unix:\/\/.*no-engine\.sock/);
    expect(result.stderr).toMatch(/dockerd/);
    expect(result.stderr).toMatch(/--backend process/);
  });

  it('an interrupt in the middle of a partition heals the cut, then removes the container with its namespace', async () => {
    const dir = newReportDir();
    const events = '[{"at":100,"kind":"partition","direction":"both","mode":"drop","duration":"20s"}]';
    const stateDir = newStateDir();
    const child = sigstorm(['run', 'scenarios/return-on-close-fixed.yml', '--backend', 'docker', '--report-dir', dir, '--events', events], { env: { SIGSTORM_STATE_DIR: stateDir } });
    await reachedPhase(stateDir, child.pid!, 'fault'); // the journal says the cut holds: no guess at how long iptables takes
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const report = onlyReport(dir, 'return-on-close-fixed');
    expect(report.interrupted).toBe(true);
    const partition = report.trial!.events[0]!;
    expect(partition.healedMs).toBeGreaterThan(partition.deliveredMs!);
    expect(partition.heldMs).toBe(partition.healedMs! - partition.deliveredMs!);
    expect(partition.heldMs!).toBeLessThan(20_000); // healed early: the interrupt ended the trial
    expect(containersWithLabel(`sigstorm.run=${report.runId}`)).toEqual([]);
    expect(execFileSync('iptables', ['-w', '-S'], { encoding: 'utf8' })).not.toContain(RULE_COMMENT);
  });

  it('gc removes containers of dead runs and keeps those of live ones', async () => {
    const scenario = await loadScenario('scenarios/shell-form-fixed.yml');
    await runPrepare(scenario.target);
    const image = await ensureImage(scenario.target.container!);
    const start = (pid: number) =>
      execFileSync('docker', ['create', '--label', 'sigstorm=true', '--label', `sigstorm.pid=${pid}`, '--label', 'sigstorm.run=gc-test', image], { encoding: 'utf8' }).trim();
    const dead = start(2 ** 22 + 1); // above pid_max: no such process
    const live = start(process.pid);
    try {
      const result = await sigstorm(['gc']);
      expect(result.exitCode, result.all).toBe(0);
      const left = containersWithLabel('sigstorm.run=gc-test').map((id) => id.slice(0, 12));
      expect(left).toEqual([live.slice(0, 12)]);
      expect(left).not.toContain(dead.slice(0, 12));
    } finally {
      execFileSync('docker', ['rm', '-f', live, dead], { stdio: 'ignore' });
    }
  });
});
