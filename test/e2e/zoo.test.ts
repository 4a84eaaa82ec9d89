import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/backends/backend.js';
import { run } from '../../src/run.js';
import { containersWithLabel } from '../helpers/docker.js';

// Every zoo target on every backend, stopped the way `docker stop` does: real images, real processes, real signals.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-zoo-'));

interface Case {
  scenario: string;
  backend: BackendName;
  verdict: 'pass' | 'fail';
  status: number;
  failing?: string[];
  lingering?: string[];
}

const cases: Case[] = [
  // PID 1 shell ignores SIGTERM: everything is SIGKILLed after the grace period.
  { scenario: 'shell-form', backend: 'docker', verdict: 'fail', status: 137, failing: ['exit-status/killed', 'deadline/sigkill-needed'], lingering: ['sh', 'server'] },
  // A plain shell dies of SIGTERM (143 is allowed) but leaves the service running, orphaned.
  { scenario: 'shell-form', backend: 'process', verdict: 'fail', status: 143, failing: ['deadline/sigkill-needed'], lingering: ['server'] },
  { scenario: 'shell-form-fixed', backend: 'docker', verdict: 'pass', status: 0 },
  { scenario: 'shell-form-fixed', backend: 'process', verdict: 'pass', status: 0 },
  { scenario: 'unread-notify', backend: 'docker', verdict: 'fail', status: 137, failing: ['exit-status/killed', 'deadline/sigkill-needed'], lingering: ['server'] },
  { scenario: 'unread-notify', backend: 'process', verdict: 'fail', status: 137, failing: ['exit-status/killed', 'deadline/sigkill-needed'], lingering: ['server'] },
  { scenario: 'unread-notify-fixed', backend: 'docker', verdict: 'pass', status: 0 },
  { scenario: 'unread-notify-fixed', backend: 'process', verdict: 'pass', status: 0 },
  // Go as container PID 1 cannot be killed by its own re-raised SIGTERM, so its runtime exits 2 instead of 143.
  { scenario: 'sigint-only', backend: 'docker', verdict: 'fail', status: 2, failing: ['exit-status/wrong-status'] },
  { scenario: 'sigint-only', backend: 'process', verdict: 'fail', status: 143, failing: ['exit-status/wrong-status'] },
  { scenario: 'sigint-only-fixed', backend: 'docker', verdict: 'pass', status: 0 },
  { scenario: 'sigint-only-fixed', backend: 'process', verdict: 'pass', status: 0 },
];

describe('zoo: seeded bugs are caught, fixed twins pass', () => {
  it.each(cases)('$scenario on $backend → $verdict, status $status', async (c) => {
    const { report, reportPath } = await run(`scenarios/${c.scenario}.yml`, { backend: c.backend, reportDir });
    expect(reportPath).toMatch(new RegExp(`${c.scenario}/[^/]+/report\\.json$`));
    expect(report.backend).toBe(c.backend);
    expect(report.trial!.exit.status).toBe(c.status);
    expect(report.failures.map((f) => `${f.oracle}/${f.kind}`)).toEqual(c.failing ?? []);
    expect(report.verdict).toBe(c.verdict);
    // What was still running when sigstorm gave up waiting and sent SIGKILL.
    expect(report.trial!.exit.lingering.map((p) => p.comm)).toEqual(c.lingering ?? []);
    // The target's processes were sampled from /proc while it ran.
    expect(report.trial!.samples[0]!.processes.some((p) => p.comm === 'server' && (p.fds ?? 0) > 0)).toBe(true);
    if (c.backend === 'docker') expect(containersWithLabel(`sigstorm.run=${report.runId}`)).toEqual([]);
  });
});
