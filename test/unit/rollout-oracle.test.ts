import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/oracles/judge.js';
import { attribute, type Route } from '../../src/rollout/rotation.js';
import type { TrialRecord } from '../../src/trial/record.js';
import { recordProblems } from '../../src/trial/record-schema.js';

// Rollouts judged from records saved by real trials of the zoo pair (test/e2e/rollout.test.ts makes them afresh):
// the bug without a preStop hook, and a run of its twin in which one idle keep-alive connection was closed at the drain.

const load = (name: string): TrialRecord => JSON.parse(readFileSync(`test/fixtures/rollout/${name}.json`, 'utf8')) as TrialRecord;

describe('a rollout judged across its replicas', () => {
  it('fails the rollout without a preStop hook: routed to a stopping replica within the lag, diagnosed so; each replica exits as it should', () => {
    const record = load('endpoint-lag');
    expect(recordProblems(record)).toEqual([]);
    const { verdict, results } = judge(record);
    expect(verdict).toBe('fail');
    const rollout = results.find((r) => r.oracle === 'rollout')!;
    expect(rollout).toMatchObject({ verdict: 'fail', kind: 'routed-while-stopping', diagnosis: { id: 'no-prestop-under-endpoint-lag', confidence: 'high' } });
    expect(rollout.diagnosis!.cause).toMatch(/^[A-Z].*\.$/);
    expect(rollout.evidence?.lostPerReplica).toEqual({ 'v1-1': 6, 'v1-2': 6 });
    expect(rollout.evidence?.routedWhileStopping).toMatchObject({ replicas: ['v1-1', 'v1-2'], lagMs: 1000 });
    for (const replica of ['v1-1', 'v1-2']) {
      const of = (oracle: string) => results.find((r) => r.oracle === oracle && r.evidence?.replica === replica);
      expect(of('exit-status')?.verdict).toBe('pass');
      expect(of('lost-requests')).toMatchObject({ verdict: 'fail', kind: 'endpoint-lag', diagnosis: { id: 'endpoint-lag' } });
      expect(of('lost-requests')!.message).toMatch(new RegExp(`^${replica}: `));
    }
  });

  it('passes the twin, counting a keep-alive connection closed unanswered at the signal as a refusal, as lost-requests does', () => {
    const record = load('endpoint-lag-fixed-drain');
    const { verdict, results } = judge(record);
    expect(verdict, JSON.stringify(results.filter((r) => r.verdict !== 'pass'))).toBe('pass');
    expect(results.find((r) => r.oracle === 'rollout')!.message).toMatch(/1 closed unanswered by a replica at its stop signal/);
    expect(results.every((r) => r.diagnosis === undefined)).toBe(true);
  });

  it('fails the twin when a new replica cuts an answer: a loss no stop excuses, not given a diagnosis that does not fit', () => {
    const record = load('endpoint-lag-fixed-drain');
    const rollout = record.rollout!;
    const victim = record.ledger.find((e) => rollout.routedTo[e.id] === 'v2-1' && e.outcome === 'ok')!;
    const cut = { ...record, ledger: record.ledger.map((e) => (e === victim ? { ...e, outcome: 'truncated' as const } : e)) };
    const failed = judge(cut).results.find((r) => r.oracle === 'rollout')!;
    expect(failed).toMatchObject({ verdict: 'fail', kind: 'lost-requests', evidence: { lostPerReplica: { 'v2-1': 1 } } });
    expect(failed.diagnosis?.id).toBe('unknown');
  });

  it('fails a capacity dip: a new replica that never joined the rotation leaves fewer available than max_unavailable allows', () => {
    const record = load('endpoint-lag-fixed-drain');
    const rollout = record.rollout!;
    expect(judge(record).results.filter((r) => r.oracle === 'rollout').every((r) => r.verdict === 'pass')).toBe(true);
    const neverIn = { ...record, rollout: { ...rollout, rotation: rollout.rotation.filter((c) => !(c.replica === 'v2-1' && c.change === 'in')) } };
    const dip = judge(neverIn).results.find((r) => r.oracle === 'rollout' && r.kind === 'capacity-dip')!;
    const v11 = rollout.replicas.find((l) => l.name === 'v1-1')!;
    expect(dip).toMatchObject({ verdict: 'fail', evidence: { atMs: v11.stopBeganMs, available: ['v1-2'], floor: 2 } });
  });

  it('gives unknown, not a crash, for a lane whose record is broken', () => {
    const record = load('endpoint-lag');
    const broken = { ...record, rollout: { ...record.rollout!, replicas: record.rollout!.replicas.map((l) => (l.name === 'v1-1' ? { ...l, record: { ...l.record!, ledger: null } } : l)) } };
    const { results } = judge(broken as unknown as TrialRecord);
    const crashed = results.filter((r) => r.verdict === 'unknown');
    expect(crashed.length).toBeGreaterThan(0);
    for (const r of crashed) expect(r).toMatchObject({ evidence: { replica: 'v1-1' }, message: expect.stringMatching(/^v1-1: oracle crashed/) });
  });
});

describe('the causes a rollout\'s lost requests show (records of the zoo\'s other pairs, test/e2e/rollout-causes.test.ts)', () => {
  const rolloutOf = (record: TrialRecord) => judge(record).results.find((r) => r.oracle === 'rollout' && r.verdict === 'fail')!;

  it('reads requests cut on keep-alive connections a draining replica accepted before its stop as keep-alive-cut', () => {
    const record = load('keepalive-drain');
    expect(recordProblems(record)).toEqual([]);
    const failure = rolloutOf(record);
    expect(failure).toMatchObject({ kind: 'keep-alive-cut', diagnosis: { id: 'keep-alive-not-closed-on-drain', confidence: 'high' } });
    const lost = Object.values(failure.evidence!.lostPerReplica as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(failure.evidence?.keptAliveThroughDrain).toMatchObject({ count: lost, replicas: ['v1-1', 'v1-2'] });
    expect(failure.evidence?.routedWhileStopping).toBeUndefined();
    // Each replica exited 0: its own contract holds; only the rollout shows the loss.
    expect(judge(record).results.filter((r) => r.oracle === 'exit-status').every((r) => r.verdict === 'pass')).toBe(true);
  });

  it('does not read a cut request as kept alive when its connection was accepted after the stop began, or it was sent before the signal', () => {
    const record = load('keepalive-drain');
    const rollout = record.rollout!;
    // The same losses, each replica's stop moved to after the requests were sent: nothing left to read as kept alive.
    const later = { ...rollout, replicas: rollout.replicas.map((l) => (l.version === 'v1' ? { ...l, signalMs: l.exitMs! + 1 } : l)) };
    expect(rolloutOf({ ...record, rollout: later })).toMatchObject({ kind: 'lost-requests' });
    const earlier = { ...rollout, replicas: rollout.replicas.map((l) => (l.version === 'v1' ? { ...l, stopBeganMs: 0 } : l)) };
    expect(rolloutOf({ ...record, rollout: earlier }).evidence?.keptAliveThroughDrain).toBeUndefined();
  });

  it("reads connections routed to a stopping replica until HAProxy's own health checks took it out as health-check-slower-than-stop", () => {
    const record = load('health-check');
    expect(recordProblems(record)).toEqual([]);
    const rollout = record.rollout!;
    expect(rollout.plan.healthCheck).toEqual({ intervalMs: 500, fall: 2, rise: 2 });
    const failure = rolloutOf(record);
    expect(failure).toMatchObject({ kind: 'routed-while-stopping', diagnosis: { id: 'health-check-slower-than-stop', confidence: 'high' } });
    // No lag was played: each old replica left the rotation when the checks failed, as HAProxy logged it.
    for (const lane of rollout.replicas.filter((l) => l.version === 'v1')) {
      expect(lane.endpointLagMs).toBeUndefined();
      const out = rollout.rotation.find((c) => c.replica === lane.name && c.change === 'out')!;
      expect(out.why).toMatch(/^health check failed/);
      expect(out.atMs).toBeGreaterThan(lane.signalMs!);
    }
    const evidence = failure.evidence?.routedWhileStopping as { lagMs: number; healthCheck: unknown };
    expect(evidence.healthCheck).toEqual(rollout.plan.healthCheck);
    const first = rollout.replicas.find((l) => l.name === (failure.evidence!.routedWhileStopping as { replicas: string[] }).replicas[0])!;
    const out = rollout.rotation.find((c) => c.replica === first.name && c.change === 'out')!;
    expect(evidence.lagMs).toBeCloseTo(out.atMs - first.stopBeganMs!, 6);
    // The same record without the checks in its plan reads as an endpoint lag's: the diagnosis follows the plan.
    const lagged = { ...record, rollout: { ...rollout, plan: { ...rollout.plan, healthCheck: undefined } } };
    expect(rolloutOf(lagged).diagnosis?.id).toBe('no-prestop-under-endpoint-lag');
  });

  it('reads 503s from a new replica after it joined the rotation, before its first answer of that path, as routed-before-warm', () => {
    const record = load('ready-before-warm');
    expect(recordProblems(record)).toEqual([]);
    const failure = rolloutOf(record);
    expect(failure).toMatchObject({ kind: 'routed-before-warm', diagnosis: { id: 'readiness-before-warm-up', confidence: 'high' } });
    const warm = failure.evidence?.routedBeforeWarm as { count: number; replicas: string[]; failingForMs: number; statuses: unknown[] };
    expect(warm.statuses).toEqual([503]);
    expect(warm.replicas.every((r) => r.startsWith('v2-'))).toBe(true);
    expect(warm.failingForMs).toBeLessThan(1000); // ZOO_WARM_MS, counted from its listening, before it joined
  });

  it('does not read as warm-up a replica that fails after answering, or never answers that path', () => {
    const record = load('ready-before-warm');
    const rollout = record.rollout!;
    const lost = record.ledger.filter((e) => e.outcome !== 'ok');
    // Answered ok once before each of its 503s: it could serve, and failed for another reason.
    const victim = lost[0]!;
    const replica = rollout.routedTo[victim.id]!;
    const before = record.ledger.find((e) => e.outcome === 'ok' && rollout.routedTo[e.id] === replica && e.path === victim.path && e.sentMs > victim.sentMs)!;
    const firstFailed = Math.min(...lost.filter((e) => rollout.routedTo[e.id] === replica).map((e) => e.sentMs));
    const answeredFirst = { ...record, ledger: record.ledger.map((e) => (e === before ? { ...e, sentMs: firstFailed - 100 } : e)) };
    const asFailed = rolloutOf(answeredFirst).evidence?.routedBeforeWarm as { replicas: string[] } | undefined;
    expect(asFailed?.replicas ?? []).not.toContain(replica);
    // Never answered /slow after its failures: broken, not warming.
    const neverAnswered = { ...record, ledger: record.ledger.filter((e) => !(e.outcome === 'ok' && e.path === victim.path && rollout.routedTo[e.id] === replica)) };
    const broken = rolloutOf(neverAnswered);
    const stillWarm = broken.evidence?.routedBeforeWarm as { replicas: string[] } | undefined;
    expect(stillWarm?.replicas ?? []).not.toContain(replica);
  });
});

describe('attribution of requests to replicas', () => {
  it('takes the route of the client port nearest the connect (ports come round again)', () => {
    const route = (clientPort: number, acceptedMs: number, replica: string): Route => ({ clientPort, acceptedMs, replica, outcome: 'connected' });
    const routes = [route(4000, 10, 'a'), route(4001, 12, 'b'), route(4000, 900, 'c')];
    const found = attribute(
      [
        { id: 1, localPort: 4000, connectedMs: 11, sentMs: 10 },
        { id: 2, localPort: 4000, connectedMs: 901, sentMs: 899 },
        { id: 3, localPort: 4001, sentMs: 12 },
        { id: 4, sentMs: 13 },
      ],
      routes,
    );
    expect([...found].map(([id, r]) => [id, r.replica])).toEqual([[1, 'a'], [2, 'c'], [3, 'b']]);
  });
});
