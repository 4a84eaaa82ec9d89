import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveFinding } from '../../src/fuzz/findings.js';
import type { FuzzReport } from '../../src/report/fuzz-report.js';
import type { Schedule } from '../../src/schedule/event.js';
import { sigstorm } from '../helpers/cli.js';
import { containersWithLabel } from '../helpers/docker.js';
import { tempFiles } from '../helpers/files.js';
import { collectJournal, leftoversOf, newDir, newStateDir, reachedPhase, runIdsIn, sweepStateDirs } from '../helpers/leftovers.js';

const server = resolve('targets/go/server');
const noStack = /internal error|\n\s+at /;
/** A schedule sigint-only fails every time: its SIGTERM keeps Go's default action (exit 143, expected 0). */
const savedFinding = [{ at: 100, kind: 'signal', signal: 'SIGTERM', to: 'main' }];

/** A scenario file of a process target in a fresh directory. */
const processScenario = (name: string, body: string) => join(tempFiles({ [`${name}.yml`]: body }), `${name}.yml`);

afterAll(sweepStateDirs);

describe('faults in the environment give a clear message, the right exit code, and lose nothing found', () => {
  it('a scenario path that does not exist: exit 2, naming it', async () => {
    const result = await sigstorm(['run', 'scenarios/no-such-scenario.yml']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/scenarios\/no-such-scenario\.yml/);
    expect(result.all).not.toMatch(noStack);
  });

  it('an image build that fails: exit 3, naming the context and the failing step', async () => {
    const context = tempFiles({ Dockerfile: 'FROM scratch\nCOPY no-such-file /x\n' });
    const scenario = join(tempFiles({ 'broken-build.yml': `target:\n  build: ${context}\n  ports: [8080]\n  ready: { http: /healthz, timeout: 5s }\n` }), 'broken-build.yml');
    const result = await sigstorm(['run', scenario, '--backend', 'docker', '--report-dir', newDir('reports')]);
    expect(result.exitCode, result.all).toBe(3);
    expect(result.stderr).toMatch(/building image .* from .* failed/);
    expect(result.stderr).toMatch(/Step 2\/\d : COPY no-such-file \/x: COPY failed: file not found/);
    expect(result.all).not.toMatch(noStack);
  });

  it('a target that never becomes ready: exit 3 after its timeout, saying what was awaited', async () => {
    const scenario = processScenario('never-ready', `target:\n  process:\n    command: [sleep, "30"]\n  ready: { http: /healthz, timeout: 1s }\n`);
    const result = await sigstorm(['run', scenario, '--backend', 'process', '--report-dir', newDir('reports')]);
    expect(result.exitCode, result.all).toBe(3);
    expect(result.stderr).toMatch(/not ready within 1(\.00)? ?s: waiting for HTTP probe \(last: GET \/healthz → /);
    expect(result.all).not.toMatch(noStack);
  });

  it('a target that exits during start-up: exit 3 with its last output', async () => {
    const scenario = processScenario('crashes', `target:\n  process:\n    command: [sh, -c, "echo cannot open config >&2; exit 4"]\n  ready: { http: /healthz, timeout: 5s }\n`);
    const result = await sigstorm(['run', scenario, '--backend', 'process', '--report-dir', newDir('reports')]);
    expect(result.exitCode, result.all).toBe(3);
    expect(result.stderr).toMatch(/exited during start-up \(4\)/);
    expect(result.stderr).toMatch(/\| cannot open config/);
  });

  it('a port already taken: the target cannot bind, exit 3 with its complaint', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const taken = (holder.address() as { port: number }).port;
    try {
      // The target insists on its own PORT instead of the one sigstorm hands it.
      const scenario = processScenario(
        'port-taken',
        `target:\n  process:\n    command: [${server}]\n    env: { PORT: "${taken}" }\n    port_env: UNUSED_PORT\n  ready: { http: /healthz, timeout: 5s }\n`,
      );
      const result = await sigstorm(['run', scenario, '--backend', 'process', '--report-dir', newDir('reports')]);
      expect(result.exitCode, result.all).toBe(3);
      expect(result.stderr).toMatch(/exited during start-up/);
      expect(result.stderr).toMatch(/address already in use/);
    } finally {
      holder.close();
    }
  });

  describe('a full disk for reports (a 256 KiB tmpfs)', () => {
    const mount = newDir('full');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
    // Yesterday's finding, saved where the campaign looks first: its first schedule fails every time (the Go server
    // dies of any SIGTERM), so the fuzz test below finds its bug by design, not by a random search's luck.
    mkdirSync(join(mount, 'sigint-only'));
    writeFileSync(join(mount, 'sigint-only', 'findings.json'), JSON.stringify({ findings: [{ signature: 'exit-status/wrong-status', schedule: savedFinding, foundAt: '2026-12-06T00:00:00Z', runId: 'earlier' }] }));
    // Fill it to the last block.
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(mount, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
    } catch {
      // ENOSPC is the point
    }
    afterAll(() => execFileSync('umount', [mount]));

    it('run: exit 3, says it cannot write, and prints the report instead', async () => {
      const result = await sigstorm(['run', 'scenarios/sigint-only.yml', '--backend', 'process', '--report-dir', mount]);
      expect(result.exitCode, result.all).toBe(3);
      expect(result.stderr).toMatch(/cannot write .*report\.json: ENOSPC/);
      expect(result.stderr).toMatch(/printed on standard output instead/);
      const report = JSON.parse(result.stdout) as { verdict: string; failures: unknown[] };
      expect(report.verdict).toBe('fail');
      expect(report.failures.length).toBeGreaterThan(0);
      expect(result.all).not.toMatch(noStack);
    });

    it('fuzz: the finding survives on standard output', async () => {
      const result = await sigstorm(['fuzz', 'scenarios/sigint-only.yml', '--backend', 'process', '--seed', '1', '--runs', '5', '--confirm', '2', '--report-dir', mount]);
      expect(result.exitCode, result.all).toBe(3);
      const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as FuzzReport;
      expect(report.outcome.kind).toBe('failed');
      if (report.outcome.kind === 'failed') expect(report.outcome.original).toEqual(savedFinding);
      expect(result.stderr).toMatch(/ENOSPC/);
      expect(result.all).not.toMatch(noStack);
    });
  });

  it('the Docker engine going away mid-campaign: exit 3, the finding kept, the containers left for gc', async () => {
    // sigstorm talks to the engine through a socket of ours, which we then close: to sigstorm the engine is gone.
    const dir = newDir('engine');
    const socket = join(dir, 'docker.sock');
    const connections = new Set<Socket>();
    const proxy = createServer((client) => {
      const upstream = createConnection('/var/run/docker.sock');
      for (const s of [client, upstream]) {
        connections.add(s);
        s.on('error', () => undefined);
        s.on('close', () => connections.delete(s));
      }
      client.pipe(upstream).pipe(client);
    }).listen(socket);
    const stateDir = newStateDir();
    const reportDir = newDir('reports');
    // An earlier campaign's finding, tried first, fails every time (a race: the second close panics): the campaign
    // reaches shrinking by design, not by a random search's luck.
    const race: Schedule = [{ at: 0, kind: 'race', signals: ['SIGTERM', 'SIGINT'], to: 'main' }];
    await saveFinding(reportDir, 'double-close', { signature: 'second-signal/not-ignored', schedule: race, foundAt: new Date().toISOString(), runId: 'earlier' });
    const env = { DOCKER_HOST: `unix://${socket}`, SIGSTORM_STATE_DIR: stateDir };
    const child = sigstorm(['fuzz', 'scenarios/double-close.yml', '--backend', 'docker', '--seed', '7', '--runs', '40', '--report-dir', reportDir], { env });
    const journal = collectJournal(stateDir, child.pid!);
    await reachedPhase(stateDir, child.pid!, 'shrinking');
    await new Promise((r) => setTimeout(r, 300));
    proxy.close();
    for (const s of connections) s.destroy();
    rmSync(socket, { force: true });

    const result = await child;
    const records = journal.stop();
    expect(result.exitCode, result.all).toBe(3);
    expect(result.stderr).toMatch(/the Docker engine at unix:\/\/.*docker\.sock stopped answering/);
    expect(result.all).not.toMatch(noStack);
    const runDir = readdirSync(join(reportDir, 'double-close')).find((n) => !n.endsWith('.json'))!;
    const report = JSON.parse(readFileSync(join(reportDir, 'double-close', runDir, 'report.json'), 'utf8')) as FuzzReport;
    expect(report.outcome.kind).toBe('failed');
    expect(report.error?.message).toMatch(/stopped answering/);

    // With the engine back (the real socket), gc removes whatever it could not.
    const gc = await sigstorm(['gc'], { env: { SIGSTORM_STATE_DIR: stateDir } });
    expect(gc.exitCode, gc.all).toBe(0);
    expect(leftoversOf(child.pid!, runIdsIn(records))).toEqual([]);
    expect(containersWithLabel(`sigstorm.pid=${child.pid}`)).toEqual([]);
    const runs = join(stateDir, 'runs');
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
  });
});

