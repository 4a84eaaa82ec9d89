import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { run } from '../../src/session/run.js';
import { sigstorm } from '../helpers/cli.js';
import { containersWithLabel } from '../helpers/docker.js';
import { collectJournal, leftoversOf, newDir, newStateDir, processesOfRun, reachedPhase, runIdsIn, sweepStateDirs } from '../helpers/leftovers.js';

// The user's own client, as real processes: a client that goes wrong makes the trial an infrastructure failure
// (exit 3) with the reason, the report is still written, and neither the client nor what it started is left.

afterAll(sweepStateDirs);

const reportIn = (dir: string): Report => {
  const [scenario] = readdirSync(dir).filter((n) => !n.endsWith('.json'));
  const [run] = readdirSync(join(dir, scenario!));
  return JSON.parse(readFileSync(join(dir, scenario!, run!, 'report.json'), 'utf8')) as Report;
};

async function runFixture(name: string) {
  const stateDir = newStateDir();
  const reportDir = newDir('reports');
  const child = sigstorm(['run', `test/fixtures/exec/${name}.yml`, '--backend', 'process', '--report-dir', reportDir], {
    env: { SIGSTORM_STATE_DIR: stateDir },
  });
  const journal = collectJournal(stateDir, child.pid!);
  const result = await child;
  const records = journal.stop();
  const runIds = runIdsIn(records);
  return { result, report: reportIn(reportDir), runIds, leftovers: leftoversOf(child.pid!, runIds, records) };
}

describe('exec: a client that goes wrong', () => {
  const cases = [
    {
      name: 'exits-at-once',
      message: /the exec client `node exits-at-once\.mjs \{host\} \{port\}` exited at once \(status 0\) without printing any operation; its stderr ended with:\n {2}nothing to do/,
    },
    {
      name: 'garbage',
      message: /exec client `node garbage\.mjs \{host\} \{port\}`: line 2 is not an operation: not JSON \(.*\)\n {2}2 \| connected to 127\.0\.0\.1/,
    },
    {
      name: 'crash',
      message: /the exec client `node crash\.mjs \{host\} \{port\}` exited with status 3 before the trial was over; its stderr ended with:\n {2}boom: cannot talk to 127\.0\.0\.1:\d+/,
    },
  ];
  it.each(cases)('$name: exit 3 with the reason, the report written, nothing left', async ({ name, message }) => {
    const { result, report, runIds, leftovers } = await runFixture(name);
    expect(result.exitCode, result.all).toBe(3);
    expect(result.stderr).toMatch(message);
    expect(result.all).not.toMatch(/internal error|\n\s+at /);
    expect(report.verdict).toBe('unknown');
    expect(report.error?.message).toMatch(message);
    // The client was journalled under the trial's token, and nothing holding it is left (the crash client's
    // helper child, the garbage client that ignores SIGTERM).
    expect(runIds.some((id) => id.endsWith(':exec'))).toBe(true);
    expect(leftovers).toEqual([]);
  });
});

describe('exec: writes the client acknowledged', () => {
  it('are read back from where the target stored them: all there from an honest client, one missing from a lying one', async () => {
    const reportDir = newDir('reports');
    const honest = await run('test/fixtures/exec/writes-honest.yml', { backend: 'process', reportDir });
    const acked = honest.report.trial!.ledger.filter((e) => e.kind === 'write' && e.outcome === 'ok');
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.every((e) => e.protocol === 'exec' && e.writeId !== undefined)).toBe(true);
    expect(honest.report.verdict, JSON.stringify(honest.report.results)).toBe('pass');

    const lying = await run('test/fixtures/exec/writes-lying.yml', { backend: 'process', reportDir });
    const failure = lying.report.failures.find((f) => f.oracle === 'acked-writes');
    expect(failure?.kind).toBe('acked-lost');
    expect(failure?.evidence).toMatchObject({ missing: [{ writeId: 999999 }] });
  });
});

describe('exec: {host} and {port} with no port', () => {
  it('a container form that publishes none is bad input (exit 2), and the container is removed', async () => {
    const child = sigstorm(['run', 'test/fixtures/exec/no-port.yml', '--backend', 'docker', '--report-dir', newDir('reports')]);
    const result = await child;
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toMatch(/workload\.exec: the command names \{host\} or \{port\}, but the target publishes no port on this backend: give it `ports:`/);
    expect(containersWithLabel(`sigstorm.pid=${child.pid}`)).toEqual([]);
  });
});

describe('exec: sigstorm itself stopped while the client runs', () => {
  async function start(fixture: string) {
    const stateDir = newStateDir();
    const reportDir = newDir('reports');
    const child = sigstorm(['run', `test/fixtures/exec/${fixture}.yml`, '--backend', 'process', '--report-dir', reportDir], {
      env: { SIGSTORM_STATE_DIR: stateDir },
    });
    const journal = collectJournal(stateDir, child.pid!);
    await reachedPhase(stateDir, child.pid!, 'ready');
    // The client is up: it carries the token sigstorm journalled for it.
    let client: number[] = [];
    for (let i = 0; i < 100 && client.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const token = runIdsIn(journal.records).find((id) => id.endsWith(':exec'));
      client = token ? processesOfRun(token) : [];
    }
    expect(client.length).toBeGreaterThan(0);
    return { child, journal, stateDir, reportDir };
  }

  it('Ctrl-C: the client is stopped with the trial, the report written', async () => {
    const { child, journal, reportDir } = await start('forever');
    await new Promise((r) => setTimeout(r, 1000)); // a few of its operations (300 ms each) have ended
    child.kill('SIGINT');
    const result = await child;
    const records = journal.stop();
    expect(result.exitCode, result.all).toBe(130);
    expect(reportIn(reportDir).interrupted).toBe(true);
    // It had printed operations, which went on the ledger of the interrupted trial.
    expect(reportIn(reportDir).trial?.ledger.filter((e) => e.protocol === 'exec' && e.outcome === 'ok').length).toBeGreaterThan(0);
    expect(leftoversOf(child.pid!, runIdsIn(records), records)).toEqual([]);
  });

  it('SIGKILL: a client that outlives sigstorm is found and removed by `sigstorm gc`', async () => {
    // A client that prints nothing more never meets the broken pipe that would end it.
    const { child, journal, stateDir } = await start('quiet');
    child.kill('SIGKILL');
    await child;
    const records = journal.stop();
    const runIds = runIdsIn(records);
    const token = runIds.find((id) => id.endsWith(':exec'))!;
    expect(processesOfRun(token).length).toBeGreaterThan(0);
    const gc = await sigstorm(['gc'], { env: { SIGSTORM_STATE_DIR: stateDir } });
    expect(gc.exitCode, gc.all).toBe(0);
    expect(gc.stdout).toMatch(/removed process \d+ \(node\) of trial .*:exec/);
    // Killed, and reaped by init a moment later.
    await expect.poll(() => leftoversOf(child.pid!, runIds, records), { timeout: 5000 }).toEqual([]);
  });
});
