import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/session/run.js';
import type { ReplicaLane, TrialRecord } from '../../src/trial/record.js';
import { sigstorm } from '../helpers/cli.js';
import { collectJournal, leftoversOf, newDir, newStateDir, processesOfRun, reachedPhase, runIdsIn, sweepStateDirs } from '../helpers/leftovers.js';

// The rollout strategies besides RollingUpdate, and the capacity-dip pair, each run for real: replicas of the zoo's Go
// service behind sigstorm's balancer, real traffic, real signals. What is asserted is read from the spans the record
// measured (each replica's start, readiness, stop, and the balancer's rotation), never from a timer's promise.

const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-rollout-strategies-'));
afterAll(sweepStateDirs);

const lane = (record: TrialRecord, name: string): ReplicaLane => record.rollout!.replicas.find((l) => l.name === name)!;
const changes = (record: TrialRecord, replica: string) => record.rollout!.rotation.filter((c) => c.replica === replica);

function leftBehind(runId: string, replicas: string[]): string[] {
  const processes = replicas.flatMap((r) => processesOfRun(`${runId}:${r}`).map((p) => `process ${p} (${r})`));
  return [...processes, ...readdirSync(tmpdir()).filter((n) => n.startsWith(`sigstorm-data-${runId}`))];
}

describe("compose's update_config, as Swarm's updater plays it", () => {
  it('updates two slots at once, start-first, a worker waiting the delay between its slots, complete after the monitor', async () => {
    // targets/go/compose-rollout.yml: replicas 3, parallelism 2, delay 500ms, order start-first, monitor 1s.
    const { report } = await run('scenarios/rollout-compose.yml', { backend: 'process', reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    const record = report.trial!;
    const rollout = record.rollout!;
    expect(rollout.plan).toMatchObject({ strategy: 'compose', replicas: 3, update: { parallelism: 2, delayMs: 500, order: 'start-first', monitorMs: 1000 } });
    for (const k of [1, 2, 3]) {
      // start-first: each old replica's stop began once its slot's new replica was ready (in rotation)…
      expect(lane(record, `v1-${k}`).stopBeganMs!).toBeGreaterThanOrEqual(lane(record, `v2-${k}`).readyMs!);
      expect(changes(record, `v2-${k}`)[0]!.atMs).toBeLessThanOrEqual(lane(record, `v1-${k}`).stopBeganMs!);
    }
    // …two slots began together; the third waited for a worker to finish its slot and the delay.
    const firstFree = Math.min(lane(record, 'v2-1').readyMs!, lane(record, 'v2-2').readyMs!);
    expect(lane(record, 'v2-2').startedMs).toBeLessThan(firstFree);
    expect(lane(record, 'v2-3').startedMs).toBeGreaterThanOrEqual(firstFree + 500 - 5);
    // The update counted as going on for the monitor after the last new replica ran.
    expect(rollout.endedMs!).toBeGreaterThanOrEqual(Math.max(...[1, 2, 3].map((k) => lane(record, `v2-${k}`).readyMs!)) + 1000);
    expect(leftBehind(report.runId, ['v1-1', 'v1-2', 'v1-3', 'v2-1', 'v2-2', 'v2-3'])).toEqual([]);
  });
});

describe('blue-green', () => {
  it('starts every new replica out of rotation, then switches the balancer at once, after the lag, as the old ones stop', async () => {
    const { report } = await run('scenarios/rollout-blue-green.yml', { backend: 'process', reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    const record = report.trial!;
    const [news, olds] = [['v2-1', 'v2-2'], ['v1-1', 'v1-2']];
    const allReady = Math.max(...news.map((n) => lane(record, n).readyMs!));
    const stopBegan = Math.max(...olds.map((n) => lane(record, n).stopBeganMs!));
    // The old ones' stops began once every new one was ready, with the switch's lag (run plays the range's 1 s).
    for (const n of olds) expect(lane(record, n).stopBeganMs!).toBeGreaterThanOrEqual(allReady);
    for (const n of olds) expect(lane(record, n).endpointLagMs).toBe(1000);
    // One switch: each new replica in and each old one out once, all in the same moment, the lag after the stops began.
    const switched = [...news, ...olds].map((n) => changes(record, n).filter((c) => c.why?.startsWith('switched')));
    for (const s of switched) expect(s).toHaveLength(1);
    const at = switched.map((s) => s[0]!.atMs);
    expect(Math.max(...at) - Math.min(...at)).toBeLessThan(50);
    expect(Math.min(...at)).toBeGreaterThanOrEqual(stopBegan + 1000 - 5);
    // No new replica took a connection before the switch; new ones first, so the rotation never emptied.
    for (const n of news) expect(changes(record, n)[0]!.atMs).toBe(switched[news.indexOf(n)]![0]!.atMs);
    expect(record.rollout!.routes.filter((r) => r.outcome === 'none')).toEqual([]);
    expect(leftBehind(report.runId, [...olds, ...news])).toEqual([]);
  });
});

describe('a readiness that passes, then fails while the new replica reconnects: the capacity-dip pair', () => {
  // What `sigstorm fuzz` shrank the bug to from its fault space (seeds 1 and 2, docs/rollouts.md).
  const minimal = [{ at: 0, kind: 'stop' as const, endpoint_delay: 2000 }];

  it('dips below what max_unavailable allows: rollout/capacity-dip, ready-then-unready, no request lost', async () => {
    const { report } = await run('scenarios/rollout-capacity-dip.yml', { backend: 'process', schedule: minimal, reportDir });
    const failure = report.failures.find((f) => f.oracle === 'rollout');
    expect(failure?.kind, JSON.stringify(report.results, null, 1)).toBe('capacity-dip');
    expect(failure!.diagnosis?.id).toBe('ready-then-unready');
    expect(report.failures).toHaveLength(1);
    const record = report.trial!;
    // Nothing lost (an idle keep-alive connection an old replica closed at its signal counts as a refusal, as always).
    expect(report.results.find((r) => r.oracle === 'rollout' && r.verdict === 'pass')?.message).toMatch(/^no request lost across the rollout/);
    const { atMs, available, floor, readinessLost } = failure!.evidence as { atMs: number; available: string[]; floor: number; readinessLost: { replica: string }[] };
    expect(available.length).toBeLessThan(floor);
    // The new replica that left: in at a passing probe, out on failed probes before any stop of its own, both before the dip…
    const gone = readinessLost[0]!.replica;
    const [joined, left] = changes(record, gone);
    expect([joined!.change, left!.change]).toEqual(['in', 'out']);
    expect(left!.why).toMatch(/readiness failed 2 times/);
    expect(left!.atMs).toBeLessThanOrEqual(atMs);
    expect(lane(record, gone).stopBeganMs).toBeUndefined();
    // …after the controller, counting it available, had begun to stop the old replica it replaced.
    expect(lane(record, 'v1-1').stopBeganMs!).toBeGreaterThanOrEqual(lane(record, 'v2-1').readyMs!);
    expect(lane(record, 'v1-1').stopBeganMs!).toBeLessThan(left!.atMs);
  });

  it('keeps every replica the rollout counts on when readiness waits for the reconnect (the twin)', async () => {
    const { report } = await run('scenarios/rollout-capacity-dip-fixed.yml', { backend: 'process', schedule: minimal, reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    const record = report.trial!;
    for (const n of ['v2-1', 'v2-2']) {
      // Ready once reconnected (500 ms + 600 ms after it listened), and never out of rotation after.
      expect(lane(record, n).readyMs! - lane(record, n).startedMs).toBeGreaterThanOrEqual(1100);
      expect(changes(record, n).map((c) => c.change)).toEqual(['in']);
    }
  });
});

describe('nginx as the balancer', () => {
  it('reloads its upstreams at each change, and retries on another replica the GETs a stopping one refuses: nothing lost', async () => {
    const { report } = await run('scenarios/rollout-nginx.yml', { backend: 'process', reportDir });
    expect(report.verdict, JSON.stringify(report.failures, null, 1)).toBe('pass');
    const record = report.trial!;
    const rollout = record.rollout!;
    expect(rollout.balancer).toBe('nginx');
    // Every request is on the access log (a route per request), the replica that answered it named.
    expect(Object.keys(rollout.routedTo)).toHaveLength(record.ledger.length);
    // Each old replica stayed in the upstreams for the lag after its stop began (its reload timed by the worker it started)…
    for (const n of ['v1-1', 'v1-2']) {
      const out = changes(record, n).find((c) => c.change === 'out')!;
      expect(out.atMs).toBeGreaterThanOrEqual(lane(record, n).stopBeganMs! + 1000);
    }
    // …and the requests nginx sent it after its signal, refused, went on to another replica (its passive health check).
    const retried = rollout.routes.filter((r) => r.error?.startsWith('nginx tried v1-'));
    expect(retried.length).toBeGreaterThan(0);
    for (const r of retried) expect(r.replica).not.toBe(r.error!.split(' ')[2]!.replace(',', ''));
    expect(leftBehind(report.runId, ['v1-1', 'v1-2', 'v2-1', 'v2-2', 'nginx'])).toEqual([]);
  });
  it('an interrupt mid-rollout leaves no nginx, replica or directory behind', async () => {
    const stateDir = newStateDir();
    const child = sigstorm(['run', 'scenarios/rollout-nginx.yml', '--backend', 'process', '--report-dir', newDir('reports')], { env: { SIGSTORM_STATE_DIR: stateDir } });
    const journal = collectJournal(stateDir, child.pid!);
    await reachedPhase(stateDir, child.pid!, 'stopping');
    await new Promise((r) => setTimeout(r, 500)); // a new replica starting, its reload on the way
    child.kill('SIGINT');
    const result = await child;
    const records = journal.stop();
    expect(result.exitCode, result.all).toBe(130);
    const runIds = runIdsIn(records);
    expect(runIds.some((id) => id.endsWith(':nginx'))).toBe(true);
    expect(leftoversOf(child.pid!, runIds, records)).toEqual([]);
    const runId = runIds[0]!.split(':')[0]!;
    expect(leftBehind(runId, ['v1-1', 'v1-2', 'v2-1', 'v2-2', 'nginx'])).toEqual([]);
  });
});
