import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/backends/backend.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import { run } from '../../src/session/run.js';

// fd leaks judged on what leaks: the zoo's reloaders under 8 keep-alive connections of real traffic, real SIGHUPs.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-fd-'));
const backends: BackendName[] = ['process', 'docker'];
const storm = (count: number) =>
  parseSchedule([{ at: 300, kind: 'storm', signals: ['SIGHUP'], count, spacing: 50 }, { at: 300 + count * 50 + 500, signal: 'SIGTERM' }], 'test');

describe.each(backends)('fd leaks on the %s backend', (backend) => {
  it.each([
    ['hup-leak-fixed', 1],
    ['hup-leak-fixed', 20],
    ['hup-socket-leak-fixed', 20],
  ])('%s under 8 keep-alive connections survives %i SIGHUP(s) with steady fds', async (scenario, count) => {
    const { report } = await run(`scenarios/${scenario}.yml`, { backend, schedule: storm(count), reportDir });
    const fd = report.results.find((r) => r.oracle === 'handles' && /^fds by kind/.test(r.message));
    expect(fd, JSON.stringify(report.results)).toBeDefined();
    // The raw count grew from readiness with the workload's connections: the total alone would call this a leak.
    const atReady = report.trial!.samples[0]!.processes.find((p) => p.pid === report.trial!.target.pid)!;
    expect(fd!.evidence!.clientConnectionsAfter as number).toBeGreaterThanOrEqual(6);
    expect((fd!.evidence!.fdsAfter as number) - atReady.fds!).toBeGreaterThanOrEqual(6);
    expect(report.verdict, JSON.stringify(report.failures)).toBe('pass');
  });

  it.each([
    ['hup-leak', 'file', /appeared: \S+config ×[45]/],
    ['hup-socket-leak', 'socket', /appeared: socket:\[…\] ×\d+/],
  ])('%s is caught by a storm of 5: handles/fd-leak, %s fds', async (scenario, kind, appeared) => {
    const { report } = await run(`scenarios/${scenario}.yml`, { backend, schedule: storm(5), reportDir });
    const leak = report.failures.find((f) => `${f.oracle}/${f.kind}` === 'handles/fd-leak');
    expect(leak, JSON.stringify(report.results)).toBeDefined();
    expect(leak!.evidence!.leaking).toEqual([kind]);
    expect(leak!.message).toMatch(appeared);
  });
});
