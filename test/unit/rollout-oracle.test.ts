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
