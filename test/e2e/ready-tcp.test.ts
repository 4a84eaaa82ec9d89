import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/session/run.js';
import { tempFiles } from '../helpers/files.js';

// `ready: { tcp }` on the zoo's TCP line server, which speaks no HTTP: ready once a connection to where the service
// itself listens is accepted, never once a proxy in front of it accepts one (the partition proxy of a process, the
// userland proxy behind a container's published port, both of which accept before the service listens).

const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-ready-tcp-'));
const tcp = resolve('targets/tcp');

const scenario = (target: string, rest = '') => join(tempFiles({ 'scenario.yml': `target:\n  prepare: [sh, ${tcp}/build.sh]\n${target}${rest}` }), 'scenario.yml');

describe('ready.tcp', () => {
  it('a process that listens only after a second is ready then, though the partition proxy in front accepts at once', async () => {
    const path = scenario(
      `  process:\n    command: [sh, -c, "sleep 1; exec ${tcp}/server"]\n  ready: { tcp: true, timeout: 15s }\n  stop_grace_period: 3s\n`,
      'faults: { partitions: true }\nschedule:\n  - { at: 100, kind: partition, direction: in, mode: reject, duration: 200 }\n  - { at: 400, signal: SIGWINCH }\n' +
        '  - { at: 1200, signal: SIGTERM }\nexpect:\n  SIGWINCH: { alive: true, settle: 300ms }\n  SIGTERM: { exit: [0], within: 3s }\n',
    );
    const { report } = await run(path, { backend: 'process', reportDir });
    const trial = report.trial!;
    expect(trial.spawnToReadyMs).toBeGreaterThanOrEqual(1000);
    // Go ignores SIGWINCH: still running, and still ready by the same TCP probe.
    expect(trial.checks).toEqual([expect.objectContaining({ alive: true, ready: { ok: true, detail: 'connected' } })]);
    expect(trial.logs.some((l) => l.text.includes('listening on'))).toBe(true);
    expect(trial.exit.status).toBe(0);
    expect(report.verdict, JSON.stringify(report.failures)).toBe('pass');
  });

  it('a container is probed on its own address: a published port nothing listens on never makes it ready', async () => {
    const target = (ready: string) => `  build: ${tcp}\n  ports: ["7070", "9999"]\n  ready: ${ready}\n  stop_grace_period: 3s\n`;
    // Docker's userland proxy accepts on the published 9999 at once; the container refuses it.
    await expect(run(scenario(target('{ tcp: 9999, timeout: 2s }')), { backend: 'docker', reportDir })).rejects.toThrow(
      /not ready within 2\.00 s: waiting for TCP probe \(last: connect [\d.]+:9999 → ECONNREFUSED\)/,
    );
    const { report } = await run(scenario(target('{ tcp: true, timeout: 15s }')), { backend: 'docker', reportDir });
    expect(report.trial!.exit.status).toBe(0);
    expect(report.verdict, JSON.stringify(report.failures)).toBe('pass');
  });
});
