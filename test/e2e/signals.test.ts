import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/backends/backend.js';
import { parseEventsArgument } from '../../src/schedule/parse.js';
import { run } from '../../src/session/run.js';
import { loadScenario } from '../../src/scenario/load.js';

const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-signals-'));
const backends: BackendName[] = ['docker', 'process'];

describe.each(backends)('signal delivery on the %s backend', (backend) => {
  it('reaches the service behind a shell when sent to the children (the shell itself never hears it)', async () => {
    const schedule = parseEventsArgument('[{"at":100,"signal":"SIGTERM","to":"children"}]');
    const { report } = await run('scenarios/shell-form.yml', { backend, schedule, reportDir });
    const [event] = report.trial!.events;
    expect(event).toMatchObject({ signal: 'SIGTERM', to: 'children', via: 'host-pid', origin: 'schedule' });
    expect(event!.deliveredMs).toBeGreaterThanOrEqual(100);
    const server = report.trial!.samples[0]!.processes.find((p) => p.comm === 'server')!;
    expect(event!.pids).toEqual([server.pid]);
    expect(report.trial!.exit).toMatchObject({ status: 0, forcedKill: false });
    expect(report.verdict).toBe('pass');
  });

  it('reaches every process of the group', async () => {
    const schedule = parseEventsArgument('[{"at":50,"signal":"SIGTERM","to":"group"}]');
    const { report } = await run('scenarios/shell-form.yml', { backend, schedule, reportDir });
    expect(report.trial!.events[0]!.pids).toHaveLength(2);
    expect(report.verdict).toBe('pass');
  });

  it('dates the target\'s output by when it was written: the line printed before serving comes before readiness', async () => {
    const { report } = await run('scenarios/unread-notify.yml', { backend, reportDir, schedule: [] });
    const listening = report.trial!.logs.find((l) => l.text.includes('listening on'))!;
    expect(listening.text).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d zoo: mode=unread-notify/); // no engine timestamp left in front
    expect(listening.atMs).toBeLessThanOrEqual(0);
    // Hence nothing is said after the stop signal, and the hang is diagnosed as the signal caught and ignored.
    expect(report.failures.map((f) => f.diagnosis?.id)).toContain('signal-ignored');
  });

  it('checks that a signal the scenario says to survive leaves the target alive and ready', async () => {
    // Go ignores SIGWINCH by default; the graceful service handles SIGHUP as a reload.
    const scenario = await loadScenario('scenarios/hup-unhandled-fixed.yml');
    scenario.expect.SIGWINCH = { kind: 'alive', settle: 300 };
    const schedule = parseEventsArgument('[{"at":50,"signal":"SIGWINCH"},{"at":100,"signal":"SIGHUP"}]');
    const survived = await run(scenario, { backend, reportDir, schedule });
    expect(survived.report.trial!.checks).toMatchObject([
      { event: 0, alive: true, ready: { ok: true } },
      { event: 1, alive: true, ready: { ok: true } },
    ]);
    expect(survived.report.trial!.events.map((e) => `${e.signal}/${e.origin}`)).toEqual(['SIGWINCH/schedule', 'SIGHUP/schedule', 'SIGTERM/teardown']);
    expect(survived.report.verdict).toBe('pass');

    // Without a handler, Go's default action for SIGHUP ends the process.
    const died = await run('scenarios/hup-unhandled.yml', { backend, reportDir, schedule: parseEventsArgument('[{"at":50,"signal":"SIGHUP"}]') });
    expect(died.report.trial!.checks).toMatchObject([{ event: 0, alive: false }]);
    expect(died.report.failures.map((f) => `${f.oracle}/${f.kind}`)).toEqual(['exit-status/unexpected-exit', 'alive/died']);
  });
});
