import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { loadScenario } from '../../src/scenario/load.js';
import { fuzz } from '../../src/session/fuzz.js';
import { run } from '../../src/session/run.js';
import type { Scenario } from '../../src/scenario/types.js';
import type { ReplicaLane, TrialRecord } from '../../src/trial/record.js';
import { sigstorm } from '../helpers/cli.js';
import { collectJournal, leftoversOf, newDir, newStateDir, processesOfRun, reachedPhase, runIdsIn, sweepStateDirs } from '../helpers/leftovers.js';

// A rolling update of two real replicas of the zoo's Go service behind sigstorm's balancer, real traffic and real
// signals. The schedule is the scenario's own (no draw): what is asserted is read from the record's own spans.

const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-rollout-'));
afterAll(sweepStateDirs);

/** Both load balancers: sigstorm's own, and Debian's HAProxy driven through its runtime API. */
const balancers = ['embedded', 'haproxy'] as const;

/** The zoo scenario, its rollout through `balancer`. */
async function through(path: string, balancer: (typeof balancers)[number]): Promise<Scenario> {
  const scenario = await loadScenario(path);
  return { ...scenario, rollout: { ...scenario.rollout!, balancer } };
}

const olds = (record: TrialRecord): ReplicaLane[] => record.rollout!.replicas.filter((l) => l.version === 'v1');

/** Nothing of the run left: no replica's process, no HAProxy, no data directory. */
function leftBehind(runId: string): string[] {
  const processes = ['v1-1', 'v1-2', 'v2-1', 'v2-2', 'haproxy'].flatMap((r) => processesOfRun(`${runId}:${r}`).map((p) => `process ${p} (${r})`));
  const dirs = readdirSync(tmpdir()).filter((n) => n.startsWith(`sigstorm-data-${runId}`));
  return [...processes, ...dirs];
}

describe('a rollout behind the load balancer', () => {
  it.each(balancers)('without a preStop hook, loses the connections routed to a stopping replica within the endpoint lag, diagnosed so (%s)', async (balancer) => {
    const { report } = await run(await through('scenarios/rollout-endpoint-lag.yml', balancer), { backend: 'process', reportDir });
    expect(report.trial!.rollout!.balancer).toBe(balancer);
    const record = report.trial!;
    const rollout = record.rollout!;
    expect(rollout.replicas.map((l) => l.name).sort()).toEqual(['v1-1', 'v1-2', 'v2-1', 'v2-2']);
    const failure = report.failures.find((f) => f.oracle === 'rollout');
    expect(failure?.kind, JSON.stringify(report.results, null, 1)).toBe('routed-while-stopping');
    expect(failure!.diagnosis?.id).toBe('no-prestop-under-endpoint-lag');
    for (const lane of olds(record)) {
      // The service itself is correct: each old replica exits 0 after its SIGTERM, as a single instance does.
      expect(report.results.find((r) => r.oracle === 'exit-status' && r.evidence?.replica === lane.name)?.verdict).toBe('pass');
      // No preStop: the signal came before the lag was over, and the balancer took it out only at the lag's end.
      expect(lane.signalMs! - lane.stopBeganMs!).toBeLessThan(lane.endpointLagMs!);
      const out = rollout.rotation.find((c) => c.replica === lane.name && c.change === 'out')!;
      expect(out.atMs - lane.stopBeganMs!).toBeGreaterThanOrEqual(lane.endpointLagMs!);
    }
    // Every failed request went to an old replica, failed once its stop had begun, and was sent before it left rotation.
    const lost = record.ledger.filter((e) => e.outcome !== 'ok');
    expect(lost.length).toBeGreaterThan(0);
    for (const e of lost) {
      const lane = olds(record).find((l) => l.name === rollout.routedTo[e.id]);
      expect(lane, `#${e.id} went to ${rollout.routedTo[e.id]}`).toBeDefined();
      expect(e.endMs).toBeGreaterThanOrEqual(lane!.stopBeganMs!);
      expect(e.sentMs).toBeLessThan(lane!.stopBeganMs! + lane!.endpointLagMs! + 50);
    }
    // Most of them were routed there after its signal, within the lag (the evidence the diagnosis reads).
    const judgedLost = Object.values(failure!.evidence!.lostPerReplica as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(2 * (failure!.evidence!.routedWhileStopping as { count: number }).count).toBeGreaterThanOrEqual(judgedLost);
    expect(leftBehind(report.runId)).toEqual([]);
  });

  it.each(balancers)('with a preStop sleep longer than the lag (the twin), loses nothing across the same rollout (%s)', async (balancer) => {
    const { report } = await run(await through('scenarios/rollout-endpoint-lag-fixed.yml', balancer), { backend: 'process', reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    const record = report.trial!;
    expect(record.ledger.length).toBeGreaterThan(0);
    for (const lane of olds(record)) {
      const out = record.rollout!.rotation.find((c) => c.replica === lane.name && c.change === 'out')!;
      expect(out.atMs).toBeLessThan(lane.signalMs!);
    }
    // The new replicas joined the rotation as their readiness passed, and carried traffic.
    const served = Object.values(record.rollout!.routedTo);
    expect(served).toContain('v2-1');
    expect(record.rollout!.endedMs).toBeDefined();
    expect(leftBehind(report.runId)).toEqual([]);
  });

  it('rolls v1 out to a second target (Go → Python), the new replicas taking the traffic, nothing lost', async () => {
    const scenario = await loadScenario('scenarios/rollout-endpoint-lag-fixed.yml');
    const python = { command: ['python3', resolve('targets/python/server.py')], cwd: resolve('.'), env: { ZOO_MODE: 'graceful' }, portEnv: 'PORT' };
    const { report } = await run({ ...scenario, rollout: { ...scenario.rollout!, to: { ...scenario.target, process: python } } }, { backend: 'process', reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    const rollout = report.trial!.rollout!;
    const v2 = rollout.replicas.filter((l) => l.version === 'v2');
    expect(v2.map((l) => l.command)).toEqual([python.command, python.command]);
    expect(olds(report.trial!).every((l) => l.command[0]!.endsWith('targets/go/server'))).toBe(true);
    const served = Object.values(rollout.routedTo);
    for (const lane of v2) expect(served).toContain(lane.name);
    expect(leftBehind(report.runId)).toEqual([]);
  });

  it('fuzz finds the bug from the rollout\'s timing alone (a seed), shrunk to one old replica\'s stop, with its diagnosis', async () => {
    // Any drawn lag of 100 ms or more routes connections to a replica that has stopped accepting: nearly every schedule
    // fails, and the flaky-aware campaign estimates, shrinks and confirms what does.
    const { report } = await fuzz('scenarios/rollout-endpoint-lag.yml', { backend: 'process', seed: 1, runs: 6, parallel: 1, confirmRuns: 5, reportDir });
    expect(report.outcome.kind, JSON.stringify(report.outcome)).toBe('failed');
    if (report.outcome.kind !== 'failed') return;
    expect(report.outcome.signature).toBe('rollout/routed-while-stopping');
    // One old replica's stop; the rollout perhaps shrunk to fewer replicas too (a `rollout` event), when that fails as often.
    expect(report.outcome.minimal.filter((e) => e.kind === 'stop')).toHaveLength(1);
    expect(report.outcome.minimal.every((e) => e.kind === 'stop' || e.kind === 'rollout')).toBe(true);
    expect(report.outcome.failures.find((f) => f.oracle === 'rollout')?.diagnosis?.id).toBe('no-prestop-under-endpoint-lag');
  });

  it('an interrupt mid-rollout stops at once and leaves no replica, port or directory behind', async () => {
    const stateDir = newStateDir();
    const reports = newDir('reports');
    const child = sigstorm(['run', 'scenarios/rollout-endpoint-lag-fixed.yml', '--backend', 'process', '--report-dir', reports], {
      env: { SIGSTORM_STATE_DIR: stateDir },
    });
    const journal = collectJournal(stateDir, child.pid!);
    await reachedPhase(stateDir, child.pid!, 'stopping');
    await new Promise((r) => setTimeout(r, 700)); // an old replica in its preStop sleep, a new one up
    child.kill('SIGINT');
    const result = await child;
    const records = journal.stop();
    expect(result.exitCode, result.all).toBe(130);
    expect(result.all).not.toMatch(/internal error|\n\s+at /);
    const runIds = runIdsIn(records);
    expect(runIds.length).toBeGreaterThanOrEqual(3); // the old replicas and at least one new one were started
    expect(leftoversOf(child.pid!, runIds, records)).toEqual([]);
    expect(leftBehind(runIds[0]!.split(':')[0]!)).toEqual([]);
  });
});

export type { Report };
