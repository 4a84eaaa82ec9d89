import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { describeRollout, nextMoves, replicasOf, rolloutTiming, simulateRollout, type RolloutPlan } from '../../src/rollout/plan.js';
import { selectBackend } from '../../src/backends/select.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { tempFiles } from '../helpers/files.js';

const plan = (over: Partial<RolloutPlan> = {}): RolloutPlan => ({
  strategy: 'rolling',
  replicas: 3,
  maxSurge: 1,
  maxUnavailable: 0,
  minReadyMs: 0,
  readiness: { periodMs: 100, failureThreshold: 3 },
  endpointLag: { minMs: 1000, maxMs: 1000 },
  atMs: 500,
  balancer: 'embedded',
  ...over,
});

describe('the rolling update controller', () => {
  it('surges one new replica, and stops an old one only once a new one is available (maxUnavailable 0)', () => {
    const p = plan();
    expect(nextMoves(p, { old: 3, newStarted: 0, newAvailable: 0 })).toEqual(['start-new']);
    expect(nextMoves(p, { old: 3, newStarted: 1, newAvailable: 0 })).toEqual([]);
    expect(nextMoves(p, { old: 3, newStarted: 1, newAvailable: 1 })).toEqual(['stop-old']);
    expect(nextMoves(p, { old: 2, newStarted: 1, newAvailable: 1 })).toEqual(['start-new']);
  });

  it('with maxUnavailable and no surge, stops first and starts in the room it made', () => {
    const p = plan({ maxSurge: 0, maxUnavailable: 1 });
    expect(nextMoves(p, { old: 3, newStarted: 0, newAvailable: 0 })).toEqual(['stop-old']);
    expect(nextMoves(p, { old: 2, newStarted: 0, newAvailable: 0 })).toEqual(['start-new']);
  });

  it('plays a whole rollout on paper: each old replica stopped after a new one is available, min_ready counted', () => {
    const steps = simulateRollout(plan({ replicas: 2, minReadyMs: 200 }), 300);
    expect(steps).toEqual([
      { atMs: 0, move: 'start-new', replica: 'v2-1' },
      { atMs: 500, move: 'available', replica: 'v2-1' },
      { atMs: 500, move: 'stop-old', replica: 'v1-1' },
      { atMs: 500, move: 'start-new', replica: 'v2-2' },
      { atMs: 1000, move: 'available', replica: 'v2-2' },
      { atMs: 1000, move: 'stop-old', replica: 'v1-2' },
    ].map((s) => expect.objectContaining(s)));
    expect(steps.filter((s) => s.move === 'stop-old')).toHaveLength(2);
  });

  it('refuses a plan that can never progress', () => {
    expect(() => simulateRollout(plan({ maxSurge: 0, maxUnavailable: 0 }), 100)).toThrow(/cannot progress/);
  });

  it('resolves percentages as Kubernetes does: surge rounded up, unavailable down', () => {
    expect(replicasOf('25%', 3, 'up')).toBe(1);
    expect(replicasOf('25%', 3, 'down')).toBe(0);
    expect(replicasOf(2, 3, 'down')).toBe(2);
  });
});

describe("a rollout's timing", () => {
  it('is its stop events (when each old replica may stop, its lag within the range), else the plan; other events are named, not played', () => {
    const p = plan({ endpointLag: { minMs: 100, maxMs: 1000 } });
    expect(rolloutTiming(p, [])).toEqual({ atMs: 500, stops: [], lagMs: 1000, unplayed: [] });
    expect(rolloutTiming(p, [{ at: 50, kind: 'stop', endpoint_delay: 300 }])).toEqual({ atMs: 50, stops: [{ notBeforeMs: 50, lagMs: 300 }], lagMs: 300, unplayed: [] });
    const two = rolloutTiming(p, [{ at: 900, kind: 'stop', endpoint_delay: 0 }, { at: 50, kind: 'stop', endpoint_delay: 5000 }]);
    expect(two).toMatchObject({ atMs: 50, stops: [{ notBeforeMs: 50, lagMs: 1000 }, { notBeforeMs: 900, lagMs: 100 }], lagMs: 100 });
    expect(rolloutTiming(p, [{ at: 50, kind: 'stop' }, { at: 60, kind: 'pause' }]).unplayed).toEqual(['pause']);
  });

  it('is what fuzz draws for a rollout scenario: a stop event per old replica at most, in time order, lags on the step within the range', async () => {
    const dir = tempFiles({ 'scenario.yml': 'target:\n  process: { command: [./server] }\n  ready: { http: /healthz }\nstop: { model: kubernetes }\nreplicas: 2\nrollout: { endpoint_lag: [100ms, 1s] }\n' });
    const scenario = await loadScenario(join(dir, 'scenario.yml'));
    const lengths = new Set<number>();
    for (const schedule of fc.sample(scheduleArbitrary(scenario), { numRuns: 50, seed: 7 })) {
      lengths.add(schedule.length);
      expect(schedule.map((e) => e.at)).toEqual(schedule.map((e) => e.at).sort((a, b) => a - b));
      for (const event of schedule) {
        expect(event).toMatchObject({ kind: 'stop' });
        const lag = (event as { endpoint_delay: number }).endpoint_delay;
        expect(lag).toBeGreaterThanOrEqual(100);
        expect(lag).toBeLessThanOrEqual(1000);
        expect((lag - 100) % scenario.faults.step).toBe(0);
      }
    }
    expect([...lengths].sort()).toEqual([1, 2]);
    // Behind HAProxy's own health checks no lag is drawn: the stop's time alone.
    const target = 'target:\n  process: { command: [./server] }\n  ready: { http: /healthz }\n';
    const checked = tempFiles({ 'scenario.yml': `${target}stop: { model: kubernetes }\nreplicas: 2\nrollout: { balancer: haproxy, health_check: { interval: 1s } }\n` });
    const behindChecks = await loadScenario(join(checked, 'scenario.yml'));
    for (const schedule of fc.sample(scheduleArbitrary(behindChecks), { numRuns: 20, seed: 7 })) for (const e of schedule) expect(Object.keys(e).sort()).toEqual(['at', 'kind']);
  });
});

describe('rollout: in a scenario', () => {
  const target = 'target:\n  process: { command: [./server] }\n  ready: { http: /healthz }\n';

  it('loads with defaults: lag from the Kubernetes stop model, readiness as Kubernetes, the rollout 500 ms in', async () => {
    const dir = tempFiles({ 'scenario.yml': `${target}stop: { model: kubernetes, endpoint_delay: 2s }\nreplicas: 4\nrollout: { max_unavailable: 1 }\n` });
    const s = await loadScenario(join(dir, 'scenario.yml'));
    expect(s.rollout).toEqual({
      strategy: 'rolling',
      replicas: 4,
      maxSurge: 1,
      maxUnavailable: 1,
      minReadyMs: 0,
      readiness: { periodMs: 10_000, failureThreshold: 3 },
      endpointLag: { minMs: 2000, maxMs: 2000 },
      atMs: 500,
      balancer: 'embedded',
    });
  });

  it('takes a lag range, and a second target to roll out to', async () => {
    const dir = tempFiles({ 'scenario.yml': `${target}replicas: 2\nrollout:\n  endpoint_lag: [200ms, 1s]\n  to: { process: { command: [./v2] }, ready: { http: /healthz } }\n` });
    const s = await loadScenario(join(dir, 'scenario.yml'));
    expect(s.rollout?.endpointLag).toEqual({ minMs: 200, maxMs: 1000 });
    expect(s.rollout?.to?.process?.command).toEqual(['./v2']);
  });

  it('reads replicas and the rolling update from a Deployment; keys the scenario writes win', async () => {
    const deploy = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: web }',
      'spec:',
      '  replicas: 3',
      '  minReadySeconds: 2',
      '  strategy:',
      '    type: RollingUpdate',
      '    rollingUpdate: { maxSurge: 50%, maxUnavailable: 0 }',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          readinessProbe: { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 1, failureThreshold: 2 }',
    ].join('\n');
    const dir = tempFiles({ 'deploy.yaml': deploy, 'scenario.yml': `${target}stop: { model: kubernetes }\nrollout: { kubernetes: deploy.yaml, max_unavailable: 1 }\n` });
    const s = await loadScenario(join(dir, 'scenario.yml'));
    expect(s.rollout).toMatchObject({
      replicas: 3,
      maxSurge: 2,
      maxUnavailable: 1,
      minReadyMs: 2000,
      readiness: { periodMs: 1000, failureThreshold: 2 },
      source: 'deploy.yaml (Deployment web)',
    });
    const bad = tempFiles({ 'deploy.yaml': deploy.replace('maxSurge: 50%', 'maxSurge: lots'), 'scenario.yml': `${target}rollout: { kubernetes: deploy.yaml }\n` });
    const error = (await loadScenario(join(bad, 'scenario.yml')).catch((e: unknown) => e)) as ScenarioError;
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error.problems[0]).toMatchObject({ file: join(bad, 'deploy.yaml'), line: 9, keyPath: 'spec.strategy.rollingUpdate.maxSurge' });
    const many = tempFiles({ 'deploy.yaml': deploy.replace('replicas: 3', 'replicas: 10'), 'scenario.yml': `${target}rollout: { kubernetes: deploy.yaml }\n` });
    const tooMany = (await loadScenario(join(many, 'scenario.yml')).catch((e: unknown) => e)) as ScenarioError;
    expect(tooMany.problems[0]).toMatchObject({ keyPath: 'rollout.kubernetes', message: expect.stringMatching(/spec.replicas 10; sigstorm plays 2–5/) });
  });

  it("takes HAProxy's own health checks in place of an endpoint lag, with HAProxy's defaults", async () => {
    const dir = tempFiles({ 'scenario.yml': `${target}stop: { model: kubernetes }\nreplicas: 2\nrollout: { balancer: haproxy, health_check: { interval: 500ms } }\n` });
    const s = await loadScenario(join(dir, 'scenario.yml'));
    expect(s.rollout).toMatchObject({ balancer: 'haproxy', healthCheck: { intervalMs: 500, fall: 3, rise: 2 }, endpointLag: { minMs: 0, maxMs: 0 } });
    expect(describeRollout(s.rollout!)).toMatch(/health checks every 500 ms \(fall 3\)$/);
  });

  it('refuses a container form without ports: the balancer could not reach its replicas', async () => {
    const portless = 'target:\n  image: sigstorm/go:any\n  ready: { log: listening }\n';
    const cases: [string, string][] = [
      [`${portless}replicas: 2\nrollout: {}\n`, 'target.ports'],
      [`${target}replicas: 2\nrollout: { to: { image: sigstorm/go:any, ready: { log: listening } } }\n`, 'rollout.to.ports'],
    ];
    for (const [body, keyPath] of cases) {
      const dir = tempFiles({ 'scenario.yml': body });
      const error = (await loadScenario(join(dir, 'scenario.yml')).catch((e: unknown) => e)) as ScenarioError;
      expect(error, body).toBeInstanceOf(ScenarioError);
      expect(error.problems.find((p) => p.keyPath === keyPath)?.message, error.message).toMatch(/first port: add `ports:/);
    }
  });

  it("asks the new version for the backend's form too: docker needs rollout.to's container form, process its process form", async () => {
    const both = 'target:\n  image: sigstorm/go:any\n  ports: ["8080"]\n  process: { command: [./server] }\n  ready: { http: /healthz }\n';
    const processOnly = tempFiles({ 'scenario.yml': `${both}replicas: 2\nrollout: { to: { process: { command: [./v2] }, ready: { http: /healthz } } }\n` });
    const imageOnly = tempFiles({ 'scenario.yml': `${both}replicas: 2\nrollout: { to: { image: sigstorm/go:v2, ports: ["8080"], ready: { http: /healthz } } }\n` });
    // Refused before any engine is asked: the form is missing whatever the engine says.
    await expect(selectBackend('docker', await loadScenario(join(processOnly, 'scenario.yml')))).rejects.toThrow(/rollout's new version \(`rollout.to`\) has no container form/);
    await expect(selectBackend('process', await loadScenario(join(imageOnly, 'scenario.yml')))).rejects.toThrow(/rollout's new version \(`rollout.to`\) has no `process` form/);
  });

  it('names the file, line and key path of what it cannot play', async () => {
    const cases: [string, string, RegExp][] = [
      ['replicas: 2\n', 'replicas', /add `rollout:`/],
      ['rollout: {}\n', 'rollout', /add `replicas: 2`/],
      ['replicas: 9\nrollout: {}\n', 'replicas', /5/],
      ['replicas: 2\nrollout: { max_surge: 0, max_unavailable: 0 }\n', 'rollout.max_unavailable', /never progress/],
      ['replicas: 2\nrollout: { endpoint_lag: [1s, 200ms] }\n', 'rollout.endpoint_lag', /shorter lag first/],
      ['replicas: 2\nrollout: { max_surge: lots }\n', 'rollout.max_surge', /percentage/],
      ['replicas: 2\nrollout: {}\nschedule: [{ at: 100, signal: SIGTERM }]\n', 'schedule[0]', /add `replica: v1-1`/],
      ['replicas: 2\nrollout: {}\nschedule: [{ at: 100, signal: SIGTERM, replica: v1-3 }]\n', 'schedule[0].replica', /there is no v1-3/],
      ['replicas: 2\nrollout: {}\nschedule: [{ at: 100, kind: unready, duration: 100, replica: v2-3 }]\n', 'schedule[0].replica', /there is no v2-3/],
      ['schedule: [{ at: 100, kind: unready, duration: 100, replica: v2-1 }]\n', 'schedule[0].kind', /has no `rollout:`/],
      ['replicas: 2\nrollout: {}\nschedule: [{ at: 100, signal: SIGTERM, from: stop }]\n', 'schedule[0].from', /name it with `replica/],
      ['replicas: 2\nrollout: { health_check: { interval: 1s } }\n', 'rollout.health_check', /balancer: haproxy/],
      ['replicas: 2\nrollout: { balancer: haproxy, endpoint_lag: 1s, health_check: { interval: 1s } }\n', 'rollout.endpoint_lag', /leave `endpoint_lag` out/],
      ['replicas: 2\nrollout: { balancer: haproxy, health_check: { interval: 1s, fall: 0 } }\n', 'rollout.health_check.fall', />=1|at least 1|too small/i],
    ];
    for (const [body, keyPath, message] of cases) {
      const dir = tempFiles({ 'scenario.yml': `${target}${body}` });
      const error = await loadScenario(join(dir, 'scenario.yml')).then(() => undefined, (e: unknown) => e);
      expect(error, body).toBeInstanceOf(ScenarioError);
      const problem = (error as ScenarioError).problems.find((p) => p.keyPath === keyPath);
      expect(problem, `${body}: ${(error as Error).message}`).toBeDefined();
      expect(problem!.message).toMatch(message);
      expect(problem!.file).toBe(join(dir, 'scenario.yml'));
      expect(problem!.line).toBeGreaterThan(3);
    }
  });
});
