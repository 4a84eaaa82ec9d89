import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nginxConfig, routesIn } from '../../src/balancer/nginx.js';
import { judge } from '../../src/oracles/judge.js';
import { describeRollout } from '../../src/rollout/plan.js';
import { attribute } from '../../src/rollout/rotation.js';
import { simulateSwarmUpdate, slotSteps, swarmBounds, workersOf } from '../../src/rollout/swarm.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import type { TrialRecord } from '../../src/trial/record.js';
import { tempFiles } from '../helpers/files.js';

// The rollout strategies besides Kubernetes' RollingUpdate: compose's update_config as Swarm plays it, and blue-green.

describe("Swarm's updater, on paper", () => {
  it('stop-first: the old one gone before its replacement starts; start-first: the new one running before the old one stops', () => {
    expect(slotSteps('stop-first')).toEqual(['stop-old', 'old-gone', 'start-new', 'new-running']);
    expect(slotSteps('start-first')).toEqual(['start-new', 'new-running', 'stop-old']);
  });

  it('reads parallelism 0 as every slot at once, and keeps bounds in RollingUpdate terms', () => {
    expect(workersOf({ parallelism: 0 }, 3)).toBe(3);
    expect(workersOf({ parallelism: 5 }, 3)).toBe(3);
    expect(swarmBounds({ parallelism: 1, order: 'stop-first' }, 3)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(swarmBounds({ parallelism: 2, order: 'start-first' }, 3)).toEqual({ maxSurge: 2, maxUnavailable: 0 });
  });

  it('stop-first, one at a time: each slot waits for the old one to go and the new one to run, then the delay', () => {
    const steps = simulateSwarmUpdate({ parallelism: 1, delayMs: 500, order: 'stop-first', monitorMs: 0 }, 2, 300, 200);
    expect(steps).toEqual([
      { atMs: 0, move: 'stop-old', replica: 'v1-1' },
      { atMs: 200, move: 'start-new', replica: 'v2-1' },
      { atMs: 500, move: 'available', replica: 'v2-1' },
      { atMs: 1000, move: 'stop-old', replica: 'v1-2' },
      { atMs: 1200, move: 'start-new', replica: 'v2-2' },
      { atMs: 1500, move: 'available', replica: 'v2-2' },
    ]);
  });

  it('start-first, two workers: two slots at once, the old ones stopped as their replacements run', () => {
    const steps = simulateSwarmUpdate({ parallelism: 2, delayMs: 100, order: 'start-first', monitorMs: 0 }, 3, 300, 999);
    expect(steps.filter((s) => s.move === 'stop-old')).toEqual([
      { atMs: 300, move: 'stop-old', replica: 'v1-1' },
      { atMs: 300, move: 'stop-old', replica: 'v1-2' },
      { atMs: 700, move: 'stop-old', replica: 'v1-3' },
    ]);
    expect(steps.filter((s) => s.move === 'start-new').map((s) => s.atMs)).toEqual([0, 0, 400]);
  });
});

describe('rollout strategies in a scenario', () => {
  const target = 'target:\n  process: { command: [./server] }\n  ready: { http: /healthz }\n';
  const compose = [
    'services:',
    '  web:',
    '    image: web:1',
    '    deploy:',
    '      replicas: 3',
    '      update_config:',
    '        parallelism: 2',
    '        delay: 10s',
    '        order: start-first',
    '        monitor: 1m30s',
    '        failure_action: rollback',
  ].join('\n');

  it("reads deploy.replicas and deploy.update_config from a compose file; keys the scenario writes win", async () => {
    const dir = tempFiles({ 'compose.yml': compose, 'scenario.yml': `${target}rollout: { compose: compose.yml, delay: 1s }\n` });
    const s = await loadScenario(join(dir, 'scenario.yml'));
    expect(s.rollout).toMatchObject({
      strategy: 'compose',
      replicas: 3,
      maxSurge: 2,
      maxUnavailable: 0,
      update: { parallelism: 2, delayMs: 1000, order: 'start-first', monitorMs: 90_000 },
      source: 'compose.yml (service web)',
    });
    expect(describeRollout(s.rollout!)).toMatch(/update_config parallelism 2, delay 1000 ms, order start-first, monitor 90000 ms/);
  });

  it("takes the target's own compose service with `strategy: compose`, and docker stack deploy's defaults", async () => {
    const dir = tempFiles({
      'compose.yml': 'services:\n  api: { image: api:1 }\n  web:\n    image: web:1\n    ports: ["8080"]\n    deploy: { replicas: 2 }\n',
      'scenario.yml': 'target:\n  compose: compose.yml\n  service: web\n  process: { command: [./server] }\n  ready: { http: /healthz }\nrollout: { strategy: compose }\n',
    });
    const s = await loadScenario(join(dir, 'scenario.yml'));
    expect(s.rollout).toMatchObject({ strategy: 'compose', replicas: 2, maxSurge: 0, maxUnavailable: 1, update: { parallelism: 1, delayMs: 0, order: 'stop-first', monitorMs: 0 } });
  });

  it('written alone, `strategy: compose` plays its keys', async () => {
    const dir = tempFiles({ 'scenario.yml': `${target}replicas: 4\nrollout: { strategy: compose, parallelism: 0, order: stop-first }\n` });
    const s = await loadScenario(join(dir, 'scenario.yml'));
    expect(s.rollout).toMatchObject({ strategy: 'compose', maxSurge: 0, maxUnavailable: 4, update: { parallelism: 0 } });
  });

  it('blue-green: every replica added before any is taken out', async () => {
    const dir = tempFiles({ 'scenario.yml': `${target}replicas: 3\nrollout: { strategy: blue-green, endpoint_lag: 1s }\n` });
    const s = await loadScenario(join(dir, 'scenario.yml'));
    expect(s.rollout).toMatchObject({ strategy: 'blue-green', maxSurge: 3, maxUnavailable: 0, endpointLag: { minMs: 1000, maxMs: 1000 } });
    expect(describeRollout(s.rollout!)).toMatch(/blue-green .* switch lag 1000 ms$/);
  });

  it('names the line and key path of a compose value it cannot read', async () => {
    const dir = tempFiles({ 'compose.yml': compose.replace('order: start-first', 'order: sideways').replace('delay: 10s', 'delay: soon'), 'scenario.yml': `${target}rollout: { compose: compose.yml }\n` });
    const error = (await loadScenario(join(dir, 'scenario.yml')).catch((e: unknown) => e)) as ScenarioError;
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error.problems).toEqual([
      expect.objectContaining({ file: join(dir, 'compose.yml'), line: 8, keyPath: 'services.web.deploy.update_config.delay', message: expect.stringMatching(/duration/) }),
      expect.objectContaining({ file: join(dir, 'compose.yml'), line: 9, keyPath: 'services.web.deploy.update_config.order', message: expect.stringMatching(/stop-first or start-first/) }),
    ]);
    const two = tempFiles({ 'compose.yml': 'services:\n  a: { image: a }\n  b: { image: b }\n', 'scenario.yml': `${target}replicas: 2\nrollout: { compose: compose.yml }\n` });
    const which = (await loadScenario(join(two, 'scenario.yml')).catch((e: unknown) => e)) as ScenarioError;
    expect(which.problems[0]).toMatchObject({ file: join(two, 'compose.yml'), keyPath: 'services', message: expect.stringMatching(/several services \(a, b\)/) });
  });

  it("refuses a key of another strategy where it is written", async () => {
    const cases: [string, string, RegExp][] = [
      ['replicas: 2\nrollout: { parallelism: 2 }\n', 'rollout.parallelism', /strategy: compose/],
      ['replicas: 2\nrollout: { strategy: compose, max_surge: 1 }\n', 'rollout.max_surge', /strategy: rolling/],
      ['replicas: 2\nrollout: { strategy: blue-green, order: start-first }\n', 'rollout.order', /blue-green starts every new replica/],
      ['replicas: 2\nrollout: { strategy: sideways }\n', 'rollout.strategy', /rolling|blue-green/],
    ];
    for (const [body, keyPath, message] of cases) {
      const dir = tempFiles({ 'scenario.yml': `${target}${body}` });
      const error = await loadScenario(join(dir, 'scenario.yml')).then(() => undefined, (e: unknown) => e);
      expect(error, body).toBeInstanceOf(ScenarioError);
      const problem = (error as ScenarioError).problems.find((p) => p.keyPath === keyPath);
      expect(problem, `${body}: ${(error as Error).message}`).toBeDefined();
      expect(problem!.message).toMatch(message);
      expect(problem!.line).toBeGreaterThan(3);
    }
  });
});

describe('nginx as the balancer, on paper', () => {
  it('writes the replicas in rotation as its upstreams, a server that is down when there is none', () => {
    expect(nginxConfig('/d', 8080, [4001, 4002])).toMatch(/upstream replicas \{\n {6}server 127\.0\.0\.1:4001;\n {6}server 127\.0\.0\.1:4002;\n {2}\}/);
    expect(nginxConfig('/d', 8080, [])).toContain('server 127.0.0.1:1 down;');
    expect(nginxConfig('/d', '@PORT@', [])).toContain('listen 127.0.0.1:@PORT@;');
  });

  it('reads a route per request from its access log: the replica that answered, those tried before, none in rotation', () => {
    const ports = new Map([[4001, 'v1-1'], [4002, 'v2-1']]);
    const routes = routesIn(
      [
        '50000 1700000000.500 0.200 127.0.0.1:4001 "200" 200',
        '50000 1700000001.000 0.001 127.0.0.1:4001, 127.0.0.1:4002 "502, 200" 200',
        '50002 1700000002.000 0.000 replicas "502" 502',
        'a line of something else',
      ],
      ports,
    );
    expect(routes.map(({ acceptedMs, ...r }) => r)).toEqual([
      { clientPort: 50000, replica: 'v1-1', outcome: 'connected', perRequest: true },
      { clientPort: 50000, replica: 'v2-1', outcome: 'connected', perRequest: true, error: 'nginx tried v1-1, v2-1' },
      { clientPort: 50002, outcome: 'none', perRequest: true },
    ]);
    // Began when it ended less its duration.
    expect(routes[1]!.acceptedMs - routes[0]!.acceptedMs).toBeCloseTo(1000 - 1 - 300, 0);
    // Two requests on one keep-alive connection go by the route that began nearest each one's send, not its connect.
    const [a, b] = routes;
    const sent = (id: number, sentMs: number) => ({ id, localPort: 50000, connectedMs: a!.acceptedMs - 5, sentMs });
    const found = attribute([sent(1, a!.acceptedMs + 1), sent(2, b!.acceptedMs + 1)], routes);
    expect([found.get(1)?.replica, found.get(2)?.replica]).toEqual(['v1-1', 'v2-1']);
  });
});

describe('capacity across a rollout, judged from saved records', () => {
  const capacityOf = (record: TrialRecord) => judge(record).results.find((r) => r.oracle === 'rollout' && r.message.includes('available'))!;

  it('names the new replica whose readiness failed after it passed, before any stop of its own: ready-then-unready', () => {
    // The zoo bug's record (test/fixtures/diagnosis): v2-1 in at +705 ms, out at +1303 ms on failed probes, back at +1705 ms.
    const record = (JSON.parse(readFileSync('test/fixtures/diagnosis/rollout-capacity-dip.process.json', 'utf8')) as { trial: TrialRecord }).trial;
    const dip = capacityOf(record);
    expect(dip).toMatchObject({ verdict: 'fail', kind: 'capacity-dip', diagnosis: { id: 'ready-then-unready' } });
    expect(dip.evidence?.readinessLost).toEqual([expect.objectContaining({ replica: 'v2-1' })]);
    const { leftMs, backMs } = (dip.evidence!.readinessLost as { leftMs: number; backMs: number }[])[0]!;
    expect(backMs).toBeGreaterThan(leftMs);
    // A replica that left the rotation because its own stop began is not one whose readiness failed.
    const rollout = record.rollout!;
    const stopping = { ...record, rollout: { ...rollout, replicas: rollout.replicas.map((l) => (l.name === 'v2-1' ? { ...l, stopBeganMs: 1000 } : l)) } };
    expect(capacityOf(stopping).evidence?.readinessLost).toBeUndefined();
  });

  it('in blue-green, counts the old replicas until the switch takes them out, not from their stop', () => {
    const record = JSON.parse(readFileSync('test/fixtures/rollout/endpoint-lag-fixed-drain.json', 'utf8')) as TrialRecord;
    const rollout = record.rollout!;
    // The new replicas joined at the moment the first old one left: the switch.
    const switchMs = rollout.rotation.find((c) => c.change === 'out')!.atMs;
    const rotation = rollout.rotation.map((c) => (c.replica.startsWith('v2-') && c.change === 'in' ? { ...c, atMs: switchMs } : c)).sort((a, b) => a.atMs - b.atMs);
    const at = (strategy: 'rolling' | 'blue-green') => ({ ...record, rollout: { ...rollout, plan: { ...rollout.plan, strategy }, rotation } });
    expect(capacityOf(at('blue-green')).verdict).toBe('pass');
    expect(capacityOf(at('rolling'))).toMatchObject({ verdict: 'fail', kind: 'capacity-dip' });
  });
});
