import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AmplifyReport } from '../../src/session/amplify.js';
import type { FaultEvent } from '../../src/schedule/event.js';
import { sigstorm } from '../helpers/cli.js';

// The zoo's Kubernetes endpoint-lag bug (no preStop: the listener closes while the endpoints still send new
// connections), from a finding whose stop event holds a short lag, as a shrunk campaign leaves it. The scenario lets
// the endpoints lag up to 1 s: amplify must propose that longer lag and measure it. What it measures is the target's
// business; the test reads which variants were tried and that their counts add up, never who won.

const LAG = 25;
const MODEL_LAG = 1000;
const SIGNATURE = 'lost-requests/endpoint-lag';

function shortLagFinding(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigstorm-amplify-lag-'));
  const file = join(dir, 'report.json');
  const minimal = [{ at: 0, kind: 'stop', endpoint_delay: LAG }];
  // No recorded reproduction: amplify measures the original itself first.
  writeFileSync(file, JSON.stringify({ scenario: { path: 'scenarios/k8s-endpoint-lag.yml' }, backend: 'process', outcome: { kind: 'failed', signature: SIGNATURE, minimal } }));
  return file;
}

const lagOf = (schedule: FaultEvent[]): number | undefined => {
  const stop = schedule.find((e) => e.kind === 'stop');
  return stop?.kind === 'stop' ? stop.endpoint_delay : undefined;
};

describe('sigstorm amplify on a Kubernetes endpoint-lag finding', () => {
  it('proposes and measures a longer endpoint lag, within the model’s, names the change, and replay plays the best', async () => {
    const file = shortLagFinding();
    const result = await sigstorm(['amplify', file, '--budget', '45s', '--parallel', '2', '--confirm', '6']);
    expect([0, 1]).toContain(result.exitCode);
    const report = JSON.parse(readFileSync(join(file, '..', 'amplify.json'), 'utf8')) as AmplifyReport;
    expect(report.variants[0]!.schedule).toEqual(report.original.schedule);
    expect(report.original.reproduction.runs).toBeGreaterThanOrEqual(6);
    expect(report.variantsTried).toBe(report.variants.length);

    // Every lag proposed stays within the model's; the longest one is among them, was run, and is named.
    const lags = report.variants.map((v) => lagOf(v.schedule));
    expect(lags.every((ms) => ms !== undefined && ms >= 0 && ms <= MODEL_LAG)).toBe(true);
    const longest = report.variants.find((v) => v.workloadScale === 1 && v.cpus === undefined && v.schedule.length === 1 && lagOf(v.schedule) === MODEL_LAG && v.schedule[0]!.at === 0);
    expect(longest, JSON.stringify(report.variants.map((v) => v.changes))).toBeDefined();
    expect(longest!.changes).toEqual([`stop: endpoints lag ${LAG} → ${MODEL_LAG} ms`]);
    expect(longest!.reproduction.runs).toBeGreaterThanOrEqual(2);
    expect(report.variants.filter((v) => (lagOf(v.schedule) ?? 0) > LAG && v.reproduction.runs > 0).length).toBeGreaterThanOrEqual(2); // 50 and 1000 ms

    // The counts add up: each variant's rate is its own failures over its runs, and the trials are theirs.
    for (const v of report.variants) {
      expect(v.reproduction.rate).toBeCloseTo(v.reproduction.runs ? v.reproduction.failed / v.reproduction.runs : 0);
      expect(v.reproduction.interval.low).toBeLessThanOrEqual(v.reproduction.interval.high);
    }
    expect(report.trialsRun).toBe(report.variants.reduce((n, v) => n + v.reproduction.runs, 0));
    expect(report.outcome.minimal).toEqual(report.best.schedule);

    // replay plays the best variant: its stop event, with its lag.
    const replayed = await sigstorm(['replay', join(file, '..', 'amplify.json'), '--times', '2', '--parallel', '2']);
    expect(replayed.stdout).toContain(`  ${report.best.steps[0]}\n`);
    expect(replayed.stdout).toMatch(/lost-requests\/endpoint-lag: \d+\/2/);
  }, 120_000);
});
