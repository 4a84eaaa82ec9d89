import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Schedule } from '../../src/schedule/event.js';
import { run } from '../../src/session/run.js';
import type { ReplicaLane, TrialRecord } from '../../src/trial/record.js';
import { processesOfRun, sweepStateDirs } from '../helpers/leftovers.js';

// Faults during a rollout, run for real (issue #28): two replicas of the zoo's Go service behind sigstorm's balancer,
// the schedule's events aimed at a replica and timed from its own stop or readiness, each played by that replica's
// player; a readiness flap; a rollout shrunk to one replica, as `fuzz` shrinks it and `replay` plays it. Fixed events
// only: what is asserted is read from the spans the record measured.

const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-rollout-faults-'));
afterAll(sweepStateDirs);

const lane = (record: TrialRecord, name: string): ReplicaLane => record.rollout!.replicas.find((l) => l.name === name)!;

function leftBehind(runId: string): string[] {
  const processes = ['v1-1', 'v1-2', 'v2-1', 'v2-2'].flatMap((r) => processesOfRun(`${runId}:${r}`).map((p) => `process ${p} (${r})`));
  return [...processes, ...readdirSync(tmpdir()).filter((n) => n.startsWith(`sigstorm-data-${runId}`))];
}

// The scenario's own schedule: the first old replica's stop at once with the longest lag (requests routed to it until
// +0.5 s, 1.5 s each, still in flight at its SIGTERM); a second SIGTERM to it 150 ms after the preStop sleep (1 s) ended
// and its own SIGTERM came: during its drain.
const stop = { at: 0, kind: 'stop' as const, endpoint_delay: 500 };
const second = { at: 1150, kind: 'signal' as const, signal: 'SIGTERM' as const, to: 'main', replica: 'v1-1', from: 'stop' as const };

describe('a second SIGTERM to an old replica during its drain (rollout-repeat-stops)', () => {
  it("cuts the repeat-stops mode's drain: the replica's own exit contract and the second-signal oracle fail it", async () => {
    const { report } = await run('scenarios/rollout-repeat-stops.yml', { backend: 'process', schedule: [stop, second] as Schedule, reportDir });
    const record = report.trial!;
    const v11 = lane(record, 'v1-1');
    // Played by the replica's own player, after its own signal, as the schedule timed it from its stop.
    const played = v11.record!.events.find((e) => e.origin === 'schedule')!;
    expect(played).toMatchObject({ kind: 'signal', signal: 'SIGTERM', replica: 'v1-1' });
    expect(played.deliveredMs).toBeGreaterThan(v11.signalMs!);
    expect(played.anchorMs).toBeCloseTo(v11.stopBeganMs!, 0);
    expect(played.deliveredMs! - v11.stopBeganMs!).toBeGreaterThanOrEqual(1150);
    // It exited 1 right after it, long before its drain could end.
    expect(v11.status).toBe(1);
    expect(v11.exitMs! - played.deliveredMs!).toBeLessThan(500);
    const failed = (oracle: string) => report.failures.find((f) => f.oracle === oracle && f.evidence?.replica === 'v1-1');
    expect(failed('exit-status')?.diagnosis?.id, JSON.stringify(report.results, null, 1)).toBe('second-signal-forced');
    expect(failed('second-signal')).toBeDefined();
    // The other old replica, which took no fault, drained as it should.
    expect(report.results.find((r) => r.oracle === 'exit-status' && r.evidence?.replica === 'v1-2')?.verdict).toBe('pass');
    // The record's events and the replay carry the replica and the moment it was timed from.
    expect(record.events.map((e) => ('replica' in e ? e.replica : undefined))).toEqual(['v1-1']);
    expect(report.replay).toContain('"replica":"v1-1"');
    expect(report.replay).toContain('"from":"stop"');
    expect(leftBehind(report.runId)).toEqual([]);
  });

  it('is ignored by the twin, whose rollout also survives a readiness flap of a new replica (the balancer takes it out and back in)', async () => {
    // v2-1's probe fails for 3 periods (600 ms) from 400 ms after it first passed: out after failure_threshold 2.
    const flap = { at: 400, kind: 'unready' as const, duration: 600, replica: 'v2-1', from: 'ready' as const };
    const { report } = await run('scenarios/rollout-repeat-stops-fixed.yml', { backend: 'process', schedule: [stop, second, flap] as Schedule, reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    const record = report.trial!;
    expect(report.results.find((r) => r.oracle === 'second-signal' && r.evidence?.replica === 'v1-1')?.verdict).toBe('pass');
    const v21 = lane(record, 'v2-1');
    const played = record.events.find((e) => e.kind === 'unready')!;
    expect(played.deliveredMs).toBeGreaterThanOrEqual(v21.readyMs! + 400);
    expect(played.healedMs).toBeGreaterThanOrEqual(played.deliveredMs! + 400);
    const changes = record.rollout!.rotation.filter((c) => c.replica === 'v2-1' && c.atMs > v21.readyMs!);
    const out = changes.find((c) => c.change === 'out')!;
    expect(out.why).toMatch(/flap of the schedule/);
    expect(out.atMs).toBeGreaterThanOrEqual(played.deliveredMs!);
    expect(out.atMs).toBeLessThanOrEqual(played.healedMs!);
    expect(changes.find((c) => c.change === 'in' && c.atMs > out.atMs)!.atMs).toBeGreaterThanOrEqual(played.healedMs!);
    expect(leftBehind(report.runId)).toEqual([]);
  });
});

describe('a rollout shrunk to one replica, replayed', () => {
  it('plays one old and one new replica, and fails as the larger one did', async () => {
    // The finding shrunk as `fuzz` shrinks it (docs/rollouts.md): its `rollout` event sets the size.
    const schedule = [{ at: 0, kind: 'rollout' as const, replicas: 1 }, stop, second] as Schedule;
    const { report } = await run('scenarios/rollout-repeat-stops.yml', { backend: 'process', schedule, reportDir });
    const record = report.trial!;
    expect(record.rollout!.plan.replicas).toBe(1);
    expect(record.rollout!.replicas.map((l) => l.name).sort()).toEqual(['v1-1', 'v2-1']);
    expect(report.failures.find((f) => f.oracle === 'second-signal')?.evidence?.replica).toBe('v1-1');
    expect(report.replay).toContain('"kind":"rollout","replicas":1');
    expect(leftBehind(report.runId)).toEqual([]);
  });
});
