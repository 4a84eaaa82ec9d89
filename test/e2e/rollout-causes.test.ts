import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/session/run.js';
import type { ReplicaLane, TrialRecord } from '../../src/trial/record.js';
import { processesOfRun, sweepStateDirs } from '../helpers/leftovers.js';

// The rollout's other causes, each a zoo pair run for real: two replicas of the zoo's Go service behind sigstorm's
// balancer, real traffic, real signals. Each bug's scenario plays its own timing (no draw); what is asserted is read
// from the spans the record measured (when each replica's stop began, its signal, its exit, when it joined the rotation).

const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-rollout-causes-'));
afterAll(sweepStateDirs);

const lanes = (record: TrialRecord, version: 'v1' | 'v2'): ReplicaLane[] => record.rollout!.replicas.filter((l) => l.version === version);
const laneOf = (record: TrialRecord, id: number): ReplicaLane | undefined => record.rollout!.replicas.find((l) => l.name === record.rollout!.routedTo[id]);

/** Nothing of the run left: no replica's process, no HAProxy, no data directory. */
function leftBehind(runId: string): string[] {
  const processes = ['v1-1', 'v1-2', 'v2-1', 'v2-2', 'haproxy'].flatMap((r) => processesOfRun(`${runId}:${r}`).map((p) => `process ${p} (${r})`));
  return [...processes, ...readdirSync(tmpdir()).filter((n) => n.startsWith(`sigstorm-data-${runId}`))];
}

describe('a drain that leaves idle keep-alive connections open, in a rollout', () => {
  it('cuts the requests clients sent on them after the signal: rollout/keep-alive-cut, keep-alive-not-closed-on-drain', async () => {
    const { report } = await run('scenarios/rollout-keepalive-drain.yml', { backend: 'process', reportDir });
    const record = report.trial!;
    const failure = report.failures.find((f) => f.oracle === 'rollout');
    expect(failure?.kind, JSON.stringify(report.results, null, 1)).toBe('keep-alive-cut');
    expect(failure!.diagnosis?.id).toBe('keep-alive-not-closed-on-drain');
    for (const lane of lanes(record, 'v1')) {
      // The preStop sleep outlasts the lag: the balancer sent it no new connection after its signal…
      const out = record.rollout!.rotation.find((c) => c.replica === lane.name && c.change === 'out')!;
      expect(out.atMs).toBeLessThan(lane.signalMs!);
      // …and it exits 0 as a single instance does, after its drain waited for requests that kept coming.
      expect(report.results.find((r) => r.oracle === 'exit-status' && r.evidence?.replica === lane.name)?.verdict).toBe('pass');
    }
    // Every lost request went to an old replica after its signal, on a connection it had accepted before its stop
    // began, and was cut when that replica exited.
    const lost = record.ledger.filter((e) => e.outcome !== 'ok');
    expect(lost.length).toBeGreaterThan(0);
    for (const e of lost) {
      const lane = laneOf(record, e.id)!;
      expect(lane.version, `#${e.id}`).toBe('v1');
      const route = record.rollout!.routes.find((r) => r.replica === lane.name && r.clientPort === e.localPort)!;
      expect(route.acceptedMs).toBeLessThan(lane.stopBeganMs!);
      expect(e.connection).toBe('keep-alive');
      expect(e.sentMs).toBeGreaterThanOrEqual(lane.signalMs!);
      expect(e.endMs).toBeGreaterThanOrEqual(lane.signalMs!);
    }
    expect(leftBehind(report.runId)).toEqual([]);
  });

  it('loses nothing when the drain closes them (the twin: Go\'s Server.Shutdown)', async () => {
    const { report } = await run('scenarios/rollout-keepalive-drain-fixed.yml', { backend: 'process', reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    // The clients reconnected through the balancer: the new replicas carried keep-alive traffic.
    const record = report.trial!;
    const onNew = record.ledger.filter((e) => e.connection === 'keep-alive' && laneOf(record, e.id)?.version === 'v2');
    expect(onNew.length).toBeGreaterThan(0);
    expect(leftBehind(report.runId)).toEqual([]);
  });
});

describe('a readiness endpoint that says ready before warm-up, in a rollout from v1 to v2', () => {
  it('fails requests routed to a new replica in its first moments: rollout/routed-before-warm, readiness-before-warm-up', async () => {
    const { report } = await run('scenarios/rollout-ready-before-warm.yml', { backend: 'process', reportDir });
    const record = report.trial!;
    const failure = report.failures.find((f) => f.oracle === 'rollout');
    expect(failure?.kind, JSON.stringify(report.results, null, 1)).toBe('routed-before-warm');
    expect(failure!.diagnosis?.id).toBe('readiness-before-warm-up');
    // The losses on the new replicas. One on an old replica may come beside them on a busy machine (CI run s5 of
    // 2026-12-07: a keep-alive request to v1-2 sent 60 ms before its SIGTERM, reset 7 ms after it): an event of its
    // own, reported with the rest, not this bug's.
    const lost = record.ledger.filter((e) => e.outcome !== 'ok' && laneOf(record, e.id)?.version === 'v2');
    expect(lost.length).toBeGreaterThan(0);
    for (const e of lost) {
      // Sent to a new replica after its probe took it into the rotation, answered 503, before its first answer of that path.
      const lane = laneOf(record, e.id)!;
      const joined = record.rollout!.rotation.find((c) => c.replica === lane.name && c.change === 'in')!.atMs;
      expect(e.sentMs).toBeGreaterThanOrEqual(joined - 50);
      expect(e).toMatchObject({ outcome: 'http-error', status: 503 });
      const firstOk = Math.min(...record.ledger.filter((o) => o.outcome === 'ok' && o.path === e.path && laneOf(record, o.id) === lane).map((o) => o.sentMs));
      expect(e.sentMs).toBeLessThanOrEqual(firstOk + 50);
    }
    expect(leftBehind(report.runId)).toEqual([]);
  });

  it('loses nothing when readiness waits for the warm-up (the twin): each new replica joins the rotation once warm', async () => {
    const { report } = await run('scenarios/rollout-ready-before-warm-fixed.yml', { backend: 'process', reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    const record = report.trial!;
    for (const lane of lanes(record, 'v2')) {
      const joined = record.rollout!.rotation.find((c) => c.replica === lane.name && c.change === 'in')!.atMs;
      expect(joined - lane.startedMs).toBeGreaterThanOrEqual(1000); // ZOO_WARM_MS, counted from its listening
    }
    expect(leftBehind(report.runId)).toEqual([]);
  });
});

describe("HAProxy's own health checks slower than the stop, in a rollout", () => {
  it('refuses the connections it routes to a replica until its checks notice: routed-while-stopping, health-check-slower-than-stop', async () => {
    const { report } = await run('scenarios/rollout-health-check.yml', { backend: 'process', reportDir });
    const record = report.trial!;
    expect(record.rollout!.balancer).toBe('haproxy');
    const failure = report.failures.find((f) => f.oracle === 'rollout');
    expect(failure?.kind, JSON.stringify(report.results, null, 1)).toBe('routed-while-stopping');
    expect(failure!.diagnosis?.id).toBe('health-check-slower-than-stop');
    for (const lane of lanes(record, 'v1')) {
      // Taken out by the checks, as HAProxy logged it, after its signal: nothing else removed it.
      const out = record.rollout!.rotation.find((c) => c.replica === lane.name && c.change === 'out')!;
      expect(out.why).toMatch(/^health check failed/);
      expect(out.atMs).toBeGreaterThan(lane.signalMs!);
    }
    // Every lost request went to an old replica after its signal, before the checks took it out.
    const lost = record.ledger.filter((e) => e.outcome !== 'ok');
    expect(lost.length).toBeGreaterThan(0);
    for (const e of lost) {
      const lane = laneOf(record, e.id)!;
      expect(lane.version, `#${e.id}`).toBe('v1');
      const out = record.rollout!.rotation.find((c) => c.replica === lane.name && c.change === 'out')!;
      expect(e.sentMs).toBeLessThan(out.atMs + 50);
      expect(e.endMs).toBeGreaterThanOrEqual(lane.signalMs!);
    }
    expect(leftBehind(report.runId)).toEqual([]);
  });

  it('loses nothing when the replica fails its health check first and keeps serving until the checks take it out (the twin)', async () => {
    const { report } = await run('scenarios/rollout-health-check-fixed.yml', { backend: 'process', reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    const record = report.trial!;
    for (const lane of lanes(record, 'v1')) {
      const out = record.rollout!.rotation.find((c) => c.replica === lane.name && c.change === 'out')!;
      expect(out.why).toMatch(/^health check failed \(Layer7/); // its /healthz said 503
      expect(out.atMs).toBeGreaterThan(lane.signalMs!);
    }
    expect(leftBehind(report.runId)).toEqual([]);
  });
});

describe("the fuzzer's minimal schedules, replayed", () => {
  // What `sigstorm fuzz` shrank each bug to from its fault space (seeds 1 and 2 alike, docs/rollouts.md), as a
  // report's `replay` plays it: the first old replica's stop at once, the shortest lag of the range.
  const minimal = [{ at: 0, kind: 'stop' as const, endpoint_delay: 100 }];
  it.each([
    ['rollout-keepalive-drain', 'keep-alive-cut', 'keep-alive-not-closed-on-drain'],
    ['rollout-ready-before-warm', 'routed-before-warm', 'readiness-before-warm-up'],
  ])('%s fails as found: rollout/%s, %s', async (scenario, kind, diagnosis) => {
    const { report } = await run(`scenarios/${scenario}.yml`, { backend: 'process', schedule: minimal, reportDir });
    const began = (name: string) => report.trial!.rollout!.replicas.find((l) => l.name === name)!.stopBeganMs!;
    expect(began('v1-1')).toBeLessThan(began('v1-2'));
    const failure = report.failures.find((f) => f.oracle === 'rollout');
    expect(failure?.kind, JSON.stringify(report.results, null, 1)).toBe(kind);
    expect(failure!.diagnosis?.id).toBe(diagnosis);
    expect(report.replay).toContain('--events');
  });
});

