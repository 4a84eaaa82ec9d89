import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/session/run.js';

// Signals timed from spawn against a real target with a slow start-up (1.5 s before it listens): the signal lands
// while readiness is awaited, is recorded before readiness (a negative time), and the trial is judged.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-startup-'));
const events = (at: number) => [{ at, from: 'spawn' as const, kind: 'signal' as const, signal: 'SIGTERM' as const, to: 'main' }];

describe('the start-up window', () => {
  it('a SIGTERM from spawn lands during start-up and kills the unguarded service: judged, files left', async () => {
    const { report } = await run('scenarios/startup-slow-init.yml', { backend: 'process', reportDir, schedule: events(400) });
    const trial = report.trial!;
    expect(trial.exitedInStartup).toBe(true);
    const [e] = trial.events;
    expect(e).toMatchObject({ from: 'spawn', at: 400, signal: 'SIGTERM' });
    // Counted from the moment its exit was seen: before it, and about 400 ms after spawn.
    expect(e!.deliveredMs!).toBeLessThan(0);
    expect(e!.deliveredMs! + trial.spawnToReadyMs).toBeGreaterThanOrEqual(400);
    expect(trial.exit.status).toBe(143);
    expect(trial.ledger).toEqual([]);
    expect(report.verdict).toBe('fail');
    expect(report.failures.map((f) => `${f.oracle}/${f.kind}`)).toContain('handles/files-left');
  });

  it('the twin abandons its start-up cleanly', async () => {
    const { report } = await run('scenarios/startup-slow-init-fixed.yml', { backend: 'process', reportDir, schedule: events(400) });
    expect(report.trial!.exitedInStartup).toBe(true);
    expect(report.trial!.exit.status).toBe(0);
    expect(report.verdict).toBe('pass');
  });

  it('on docker too: the Go service as PID 1 exits 2, its lock left behind', async () => {
    const { report } = await run('scenarios/startup-slow-init.yml', { backend: 'docker', reportDir, schedule: events(700) });
    expect(report.trial!.exitedInStartup).toBe(true);
    expect(report.trial!.events[0]!.deliveredMs!).toBeLessThan(0);
    expect(report.trial!.exit.status).toBe(2);
    expect(report.failures.map((f) => `${f.oracle}/${f.kind}`)).toContain('handles/files-left');
  });

  it('a signal timed from spawn that comes after readiness is played then, with a positive time', async () => {
    const { report } = await run('scenarios/startup-slow-init.yml', { backend: 'process', reportDir, schedule: events(2500) });
    const trial = report.trial!;
    expect(trial.exitedInStartup).toBeUndefined();
    expect(trial.spawnToReadyMs).toBeGreaterThanOrEqual(1500);
    expect(trial.events[0]!.deliveredMs!).toBeGreaterThan(0);
    expect(trial.events[0]!.deliveredMs! + trial.spawnToReadyMs).toBeGreaterThanOrEqual(2500);
    expect(trial.exit.status).toBe(0); // its handling is installed by then: a graceful stop
    expect(report.verdict).toBe('pass');
  });
});
