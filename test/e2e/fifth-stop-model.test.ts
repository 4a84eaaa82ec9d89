import { mkdtempSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/session/run.js';
import { registerStopModel } from '../../src/stop-models/registry.js';
import type { TrialRecord } from '../../src/trial/record.js';
import { usr2ThenKill } from '../fixtures/stop-models/usr2-then-kill.js';

// A fifth stop model, one file and one registration line, played against the probe (the zoo's Go service, logging
// every signal it receives on CLOCK_MONOTONIC, SIGUSR2 among them, and handling none) on the process backend.
registerStopModel(usr2ThenKill);

const dir = mkdtempSync(join(tmpdir(), 'sigstorm-fifth-stop-model-'));
const GO = resolve('targets/go');
const NAMES = Object.fromEntries(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** Signals as the probe logged them, in ms after readiness (the record's clock). */
const received = (trial: TrialRecord) =>
  trial.logs.flatMap((l) => {
    const m = /probe: (\d+) (\d+)/.exec(l.text);
    return m ? [{ signal: NAMES[Number(m[1])]!, atMs: Number(m[2]) / 1e6 - trial.readyMonotonicMs }] : [];
  });

describe('a stop model registered by a test', () => {
  it('is played on the process backend: the target gets SIGUSR2, and is killed about 1 s later', async () => {
    const path = join(dir, 'usr2-then-kill.yml');
    writeFileSync(
      path,
      [
        'target:',
        `  prepare: [sh, ${GO}/build.sh]`,
        '  process:',
        `    command: [${GO}/server]`,
        '    env: { ZOO_MODE: probe }',
        '  ready: { http: /healthz, port: 8080, timeout: 10s }',
        'stop: { model: usr2-then-kill }',
        'schedule: [{ at: 100, kind: stop }]',
        '',
      ].join('\n'),
    );
    const { report } = await run(path, { backend: 'process', reportDir: join(dir, 'reports') });
    const trial = report.trial!;
    expect(trial.stopSignal).toBe('SIGUSR2');
    expect(trial.stop).toMatchObject({ model: 'usr2-then-kill', settings: { model: 'usr2-then-kill' } });
    expect(trial.stop!.steps.map((s) => [s.step, s.detail])).toEqual([
      ['begin', undefined],
      ['signal', 'SIGUSR2→main'],
      ['final-kill', 'SIGKILL→all'],
    ]);
    const [signal, kill] = trial.stop!.steps.slice(1);
    // Due 1 s after SIGUSR2's delivery (the model's grace, in the record), and not sent before.
    expect(kill!.dueMs! - signal!.atMs).toBeCloseTo(1000, 3);
    expect(kill!.atMs).toBeGreaterThanOrEqual(kill!.dueMs!);
    // The probe got SIGUSR2 when the step says, and nothing else: the SIGKILL ended it.
    const got = received(trial);
    expect(got.map((r) => r.signal)).toEqual(['SIGUSR2']);
    expect(got[0]!.atMs).toBeGreaterThanOrEqual(signal!.atMs - 1);
    expect(trial.exit).toMatchObject({ status: 137, forcedKill: true });
    // The oracles name who killed it; it did not exit on its stop signal, so the trial fails.
    expect(report.results.find((r) => r.oracle === 'exit-status')?.message).toContain('the usr2-then-kill orchestrator had to SIGKILL it');
    expect(report.verdict).toBe('fail');
  });
});
