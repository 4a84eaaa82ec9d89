import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import type { Schedule } from '../../src/schedule/event.js';
import { run } from '../../src/session/run.js';
import type { ReplicaLane, TrialRecord } from '../../src/trial/record.js';
import { sigstorm } from '../helpers/cli.js';
import { containersWithLabel, networksWithLabel } from '../helpers/docker.js';
import { collectJournal, leftoversOf, newDir, newStateDir, reachedPhase, runIdsIn, sweepStateDirs } from '../helpers/leftovers.js';

// A rolling update on the docker backend: each replica a container of the zoo's Go image, the balancer on the host
// routing to each container's published loopback port, each old replica stopped through the engine by the stop
// model. The events are fixed (each old replica's stop at once, a 500 ms endpoint lag): what is asserted is read from
// the record's own spans.

const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-rollout-docker-'));
afterAll(sweepStateDirs);

const events: Schedule = [{ at: 0, kind: 'stop', endpoint_delay: 500 }];
const olds = (record: TrialRecord): ReplicaLane[] => record.rollout!.replicas.filter((l) => l.version === 'v1');

/** Nothing of the run left in the engine: no replica's container, no network. */
function leftInEngine(runId: string): string[] {
  return [...containersWithLabel(`sigstorm.run=${runId}`).map((id) => `container ${id}`), ...networksWithLabel(`sigstorm.run=${runId}`).map((id) => `network ${id}`)];
}

describe('a rollout on the docker backend', () => {
  it('without a preStop hook, loses the connections routed to a stopping container within the endpoint lag, diagnosed so', async () => {
    const { report } = await run('scenarios/rollout-endpoint-lag.yml', { backend: 'docker', schedule: events, reportDir });
    expect(report.backend).toBe('docker');
    const record = report.trial!;
    const rollout = record.rollout!;
    expect(rollout.replicas.map((l) => l.name).sort()).toEqual(['v1-1', 'v1-2', 'v2-1', 'v2-2']);
    // Each replica a container of the image, reached on a port of its own published on loopback.
    expect(new Set(rollout.replicas.map((l) => l.image)).size).toBe(1);
    expect(rollout.replicas[0]!.image).toMatch(/^sigstorm\/go:/);
    expect(new Set(rollout.replicas.map((l) => l.port)).size).toBe(4);
    const failure = report.failures.find((f) => f.oracle === 'rollout');
    expect(failure?.kind, JSON.stringify(report.results, null, 1)).toBe('routed-while-stopping');
    expect(failure!.diagnosis?.id).toBe('no-prestop-under-endpoint-lag');
    for (const lane of olds(record)) {
      // The engine's report of each old container's exit: 0 after its SIGTERM, as a single container's.
      expect(lane.status).toBe(0);
      expect(report.results.find((r) => r.oracle === 'exit-status' && r.evidence?.replica === lane.name)?.verdict).toBe('pass');
      expect(lane.endpointLagMs).toBe(500);
      expect(lane.signalMs! - lane.stopBeganMs!).toBeLessThan(lane.endpointLagMs!);
      const out = rollout.rotation.find((c) => c.replica === lane.name && c.change === 'out')!;
      expect(out.atMs - lane.stopBeganMs!).toBeGreaterThanOrEqual(lane.endpointLagMs!);
    }
    // Every failed request went to an old replica, ended once its stop had begun, and was sent before it left rotation.
    const lost = record.ledger.filter((e) => e.outcome !== 'ok');
    expect(lost.length).toBeGreaterThan(0);
    for (const e of lost) {
      const lane = olds(record).find((l) => l.name === rollout.routedTo[e.id]);
      expect(lane, `#${e.id} went to ${rollout.routedTo[e.id]}`).toBeDefined();
      expect(e.endMs).toBeGreaterThanOrEqual(lane!.stopBeganMs!);
      expect(e.sentMs).toBeLessThan(lane!.stopBeganMs! + lane!.endpointLagMs! + 50);
    }
    expect(leftInEngine(report.runId)).toEqual([]);
  });

  it('with a preStop sleep longer than the lag (the twin), loses nothing across the same rollout', async () => {
    const { report } = await run('scenarios/rollout-endpoint-lag-fixed.yml', { backend: 'docker', schedule: events, reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    const record = report.trial!;
    expect(record.ledger.length).toBeGreaterThan(0);
    for (const lane of olds(record)) {
      // Out of rotation before its signal: the preStop sleep (2 s) outlasted the lag.
      const out = record.rollout!.rotation.find((c) => c.replica === lane.name && c.change === 'out')!;
      expect(out.atMs).toBeLessThan(lane.signalMs!);
      expect(lane.signalMs! - lane.stopBeganMs!).toBeGreaterThanOrEqual(2000);
      expect(lane.status).toBe(0);
    }
    const served = Object.values(record.rollout!.routedTo);
    expect(served).toContain('v2-1');
    expect(served).toContain('v2-2');
    expect(record.rollout!.endedMs).toBeDefined();
    expect(leftInEngine(report.runId)).toEqual([]);
  });

  it('an interrupt mid-rollout behind HAProxy leaves no container, network, HAProxy process or rule behind, and writes the partial report', async () => {
    const stateDir = newStateDir();
    const reports = newDir('reports');
    const child = sigstorm(['run', 'scenarios/rollout-health-check-fixed.yml', '--backend', 'docker', '--report-dir', reports], {
      env: { SIGSTORM_STATE_DIR: stateDir },
    });
    const journal = collectJournal(stateDir, child.pid!);
    await reachedPhase(stateDir, child.pid!, 'stopping');
    await new Promise((r) => setTimeout(r, 1500)); // an old replica stopping (its health check failing), a new one up
    child.kill('SIGINT');
    const result = await child;
    const records = journal.stop();
    expect(result.exitCode, result.all).toBe(130);
    expect(result.all).not.toMatch(/internal error|\n\s+at /);
    const runIds = runIdsIn(records);
    // The old replicas' containers, at least one new one, and HAProxy's process were started.
    const containerRuns = records.filter((r) => r.op === 'intent' && r.resource.kind === 'container').length;
    expect(containerRuns).toBeGreaterThanOrEqual(3);
    expect(runIds.some((id) => id.endsWith(':haproxy'))).toBe(true);
    expect(leftoversOf(child.pid!, runIds, records)).toEqual([]);
    const runDir = join(reports, 'rollout-health-check-fixed');
    const run = readdirSync(runDir).find((n) => !n.endsWith('.json'))!;
    expect((JSON.parse(readFileSync(join(runDir, run, 'report.json'), 'utf8')) as Report).interrupted).toBe(true);
  });
});
