import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { dependencies } from '../../src/oracles/dependencies.js';
import { lostRequests } from '../../src/oracles/lost-requests.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { scheduleForStack } from '../../src/scenario/stack.js';
import { servicesOf } from '../../src/schedule/event.js';
import type { TrialRecord } from '../../src/trial/record.js';
import { tempFiles } from '../helpers/files.js';

// Stacks as data: what the loader makes of compose `depends_on` and `dependencies:`, what it refuses (file, line,
// key path), what the fuzzer draws for a stack, and how the oracles judge a dependency.

const compose = `services:
  db:
    image: db
    ports: ["6379"]
    healthcheck: { test: ["CMD", "/ping"], interval: 250ms }
  cache:
    image: cache
    ports: ["11211"]
    depends_on: { db: { condition: service_started } }
  api:
    image: api
    ports: ["8080"]
    depends_on:
      db: { condition: service_healthy }
      cache: { condition: service_started }
`;

async function load(files: Record<string, string>) {
  const dir = tempFiles(files);
  return { dir, scenario: await loadScenario(join(dir, 'scenario.yml')) };
}

async function refused(files: Record<string, string>) {
  const dir = tempFiles(files);
  const error = await loadScenario(join(dir, 'scenario.yml')).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ScenarioError);
  return { dir, problems: (error as ScenarioError).problems };
}

describe('loading a stack', () => {
  it("starts a compose service's depends_on first, in order, each with the readiness its condition asks", async () => {
    const { scenario } = await load({
      'compose.yml': compose,
      'scenario.yml': 'target:\n  compose: compose.yml\n  service: api\n  ready: { http: /healthz }\n',
    });
    expect(scenario.target).toMatchObject({ name: 'api', dependsOn: ['db', 'cache'] });
    expect(scenario.dependencies.map((d) => [d.name, d.healthy, d.dependsOn])).toEqual([
      ['db', true, []],
      ['cache', false, ['db']],
    ]);
    expect(scenario.dependencies[0]!.container!.healthcheck).toEqual({ test: ['CMD', '/ping'], intervalMs: 250 });
  });

  it('lets `dependencies:` add a process form and readiness to a compose service, and list services of its own', async () => {
    const { scenario } = await load({
      'compose.yml': compose,
      'scenario.yml': [
        'target: { compose: compose.yml, service: api }',
        'dependencies:',
        '  db:',
        '    process: { command: [redis-server, --port, "{port}"] }',
        '    address_env: REDIS_ADDR',
        '    ready: { log: Ready }',
        '  queue:',
        '    process: { command: [queue] }',
        '    address_env: QUEUE_ADDR',
        '    ready: { log: listening }',
      ].join('\n'),
    });
    const db = scenario.dependencies.find((d) => d.name === 'db')!;
    expect(db).toMatchObject({ addressEnv: 'REDIS_ADDR', healthy: false, container: { image: 'db' }, process: { command: ['redis-server', '--port', '{port}'] } });
    // Named by nothing in compose: the target needs it.
    expect(scenario.target.dependsOn).toEqual(['db', 'cache', 'queue']);
  });

  it('makes the target need every dependency when it names none', async () => {
    const { scenario } = await load({
      'scenario.yml': 'target: { process: { command: [api] } }\ndependencies:\n  a: { process: { command: [a] }, ready: { log: x } }\n  b: { process: { command: [b] }, ready: { log: x }, depends_on: [a] }\n',
    });
    expect(scenario.target.dependsOn).toEqual(['a', 'b']);
    expect(scenario.dependencies.map((d) => d.name)).toEqual(['a', 'b']);
  });

  it('explains a depends_on naming a service the compose file lacks, where it is written', async () => {
    const { dir, problems } = await refused({
      'compose.yml': 'services:\n  api:\n    image: api\n    depends_on: [db]\n',
      'scenario.yml': 'target: { compose: compose.yml, service: api }\n',
    });
    expect(problems[0]).toMatchObject({ file: join(dir, 'compose.yml'), line: 4, keyPath: 'services.api.depends_on' });
    expect(problems[0]!.message).toMatch(/"db" is not defined in this file; it has: api/);
  });

  it('explains a depends_on cycle', async () => {
    const { problems } = await refused({
      'scenario.yml':
        'target: { process: { command: [api] } }\ndependencies:\n  a: { process: { command: [a] }, ready: { log: x }, depends_on: [b] }\n  b: { process: { command: [b] }, ready: { log: x }, depends_on: [a] }\n',
    });
    expect(problems.map((p) => [p.keyPath, p.message])).toContainEqual(['dependencies.a.depends_on', 'a depends_on cycle: a → b → a']);
  });

  it('explains a cycle through the target, in the compose file', async () => {
    const { dir, problems } = await refused({
      'compose.yml': 'services:\n  api: { image: api, depends_on: { db: { condition: service_started } } }\n  db: { image: db, depends_on: [api] }\n',
      'scenario.yml': 'target: { compose: compose.yml, service: api }\n',
    });
    expect(problems[0]).toMatchObject({ file: join(dir, 'compose.yml'), keyPath: 'services.db.depends_on', line: 3 });
    expect(problems[0]!.message).toMatch(/cycle through the target: db → api/);
  });

  it('explains a dependency without any readiness, and a service_healthy without a healthcheck', async () => {
    const { problems } = await refused({
      'compose.yml': 'services:\n  api: { image: api, depends_on: { db: { condition: service_healthy } } }\n  db: { image: db }\n',
      'scenario.yml': 'target: { compose: compose.yml, service: api }\ndependencies:\n  queue: { image: q }\n',
    });
    const messages = Object.fromEntries(problems.map((p) => [p.keyPath, p.message]));
    expect(messages['dependencies.queue']).toMatch(/no readiness: give it `ready`/);
    expect(messages['services.db']).toMatch(/`condition: service_healthy`, but it has no `healthcheck`/);
  });

  it('explains a partition, a signal or a pause naming an unknown service, and unknown faults.services', async () => {
    const { problems } = await refused({
      'scenario.yml': [
        'target: { process: { command: [api] } }',
        'dependencies:',
        '  db: { process: { command: [db] }, ready: { log: x } }',
        'faults: { services: [dbb] }',
        'schedule:',
        '  - { at: 0, kind: partition, between: [target, cache], duration: 100 }',
        '  - { at: 0, signal: SIGTERM, to: "cache:group" }',
        '  - { at: 0, kind: pause, to: cache, duration: 100 }',
      ].join('\n'),
    });
    expect(problems.map((p) => [p.keyPath, p.line])).toEqual([
      ['faults.services[0]', 4],
      ['schedule[0].between', 6],
      ['schedule[1].to', 7],
      ['schedule[2].to', 8],
    ]);
    expect(problems[1]!.message).toMatch(/"cache" is not a service of the stack/);
  });

  it('writes `to:` naming the target the plain way, and checks a schedule given apart', async () => {
    const { scenario } = await load({
      'compose.yml': compose,
      'scenario.yml': 'target: { compose: compose.yml, service: api }\nschedule:\n  - { at: 5, signal: SIGTERM, to: "api:group" }\n  - { at: 0, kind: pause, to: api, duration: 10 }\n',
    });
    expect(scenario.schedule).toEqual([
      { at: 0, kind: 'pause', duration: 10 },
      { at: 5, kind: 'signal', signal: 'SIGTERM', to: 'group' },
    ]);
    const apart = scheduleForStack([{ at: 0, kind: 'signal', signal: 'SIGTERM', to: 'nope' }], scenario);
    expect(apart.problems).toEqual(['events[0].to: "nope" is not a service of the stack; the stack has: api, db, cache']);
  });
});

describe('the fault space of a stack', () => {
  it("draws partitions on the target's edge to each dependency, and faults.services' signals and pauses", async () => {
    const { scenario } = await load({
      'scenario.yml': [
        'target: { process: { command: [api] } }',
        'dependencies:',
        '  db: { process: { command: [db] }, ready: { log: x }, stop_signal: SIGINT }',
        '  cache: { process: { command: [c] }, ready: { log: x } }',
        'faults: { services: [db], partitions: true, pauses: true }',
      ].join('\n'),
    });
    const drawn = fc.sample(scheduleArbitrary(scenario), { numRuns: 400, seed: 5 }).flat();
    const touched = (e: (typeof drawn)[number]) => servicesOf(e).join('+');
    expect(new Set(drawn.map(touched))).toEqual(new Set(['', 'db', 'target+db', 'target+cache']));
    // The dependency gets its own stop signal; the one not in faults.services is only ever cut off, never signalled.
    expect(new Set(drawn.filter((e) => e.kind === 'signal' && e.to === 'db').map((e) => e.kind === 'signal' && e.signal))).toEqual(new Set(['SIGINT']));
    expect(drawn.some((e) => e.kind === 'pause' && e.to === 'db')).toBe(true);
    expect(drawn.some((e) => (e.kind === 'pause' || e.kind === 'signal') && servicesOf(e).includes('cache'))).toBe(false);
    for (const schedule of fc.sample(scheduleArbitrary(scenario), { numRuns: 100, seed: 6 })) expect(schedule.length).toBeLessThanOrEqual(3);
  });

  it("shrinks a failure by first dropping each dependency's faults as a whole", async () => {
    const { scenario } = await load({
      'scenario.yml':
        'target: { process: { command: [api] } }\ndependencies:\n  db: { process: { command: [db] }, ready: { log: x } }\nfaults: { services: [db], partitions: true, max_events: 6 }\n',
    });
    // A failure that needs the target's signal only: shrinking gets rid of everything aimed at db.
    const result = fc.check(
      fc.property(scheduleArbitrary(scenario), (s) => !(s.some((e) => e.kind === 'signal' && e.to === 'main') && s.some((e) => servicesOf(e).length > 0))),
      { seed: 9, numRuns: 500 },
    );
    expect(result.failed).toBe(true);
    const minimal = result.counterexample![0];
    expect(minimal.filter((e) => servicesOf(e).length > 0)).toHaveLength(1);
    expect(minimal).toHaveLength(2);
  });
});

const record = (over: Partial<TrialRecord>): TrialRecord =>
  ({
    expect: { SIGTERM: { kind: 'exit', exit: [0], within: 5000 } },
    oracles: { lost_requests: { no_refusals_for: 0 } },
    exit: { exitCode: 0, signal: null, status: 0, atMs: 2000, forcedKill: false, lingering: [] },
    events: [],
    ledger: [],
    ...over,
  }) as unknown as TrialRecord;

const played = (e: object) => ({ origin: 'schedule', scheduledMs: 0, ...e });

describe('oracles over a stack', () => {
  const dep = { name: 'db', id: 'x', pid: 1, readyMs: -50, spawnToReadyMs: 20, expect: {} };

  it('fails a dependency that exited when nothing signalled it, and passes one that stayed up', () => {
    const [result] = dependencies(record({ dependencies: [{ ...dep, exit: { status: 1, atMs: 300 } }] }));
    expect(result).toMatchObject({ verdict: 'fail', kind: 'dependency-exited' });
    expect(result!.message).toMatch(/dependency db exited \(status 1\) 300 ms after the target was ready, though nothing signalled it/);
    expect(dependencies(record({ dependencies: [dep] }))[0]).toMatchObject({ verdict: 'pass' });
  });

  it("judges a signalled dependency by its own expect, and only when there is one", () => {
    const signalled = [played({ at: 100, kind: 'signal', signal: 'SIGTERM', to: 'db', deliveredMs: 100, deliveries: [{ signal: 'SIGTERM', atMs: 100 }] })];
    const exited = { ...dep, exit: { status: 143, atMs: 200 } };
    expect(dependencies(record({ events: signalled as never, dependencies: [exited] }))[0]).toMatchObject({ verdict: 'pass' });
    const strict = { ...exited, expect: { SIGTERM: { kind: 'exit' as const, exit: [0], within: 1000 } } };
    expect(dependencies(record({ events: signalled as never, dependencies: [strict] }))[0]).toMatchObject({ verdict: 'fail', kind: 'dependency-wrong-status' });
    // The dependency's signal is not the target's: lost-requests and exit judge the target's own.
    expect(lostRequests(record({ events: signalled as never, ledger: [] }))).toEqual([]);
  });

  it('excuses errors while a dependency was cut off, but not the same errors without a fault', () => {
    const entry = (id: number, sentMs: number, endMs: number) => ({ id, kind: 'request', method: 'GET', path: '/slow', connection: 'fresh', reused: false, sentMs, endMs, outcome: 'http-error', status: 500, bytes: 0 });
    const term = played({ at: 1000, kind: 'signal', signal: 'SIGTERM', to: 'main', deliveredMs: 1000, deliveries: [{ signal: 'SIGTERM', atMs: 1000 }] });
    const cut = played({ at: 100, kind: 'partition', between: ['api', 'db'], direction: 'both', mode: 'drop', duration: 400, deliveredMs: 110, healedMs: 500 });
    const ledger = [entry(1, 200, 1200), entry(2, 900, 1100)];
    const [withCut] = lostRequests(record({ events: [cut, term] as never, ledger: ledger as never }));
    // #1 was in flight while db was cut off: an answer. #2 was not: lost.
    expect(withCut).toMatchObject({ verdict: 'fail', evidence: { lost: [{ id: 2 }] } });
    const [noCut] = lostRequests(record({ events: [term] as never, ledger: ledger as never }));
    expect((noCut!.evidence!.lost as unknown[]).length).toBe(2);
  });

  it("blames a partition of the workload's link for what it reset, not the target; an error status stays the target's", () => {
    const entry = (id: number, outcome: string) => ({ id, kind: 'request', method: 'GET', path: '/', connection: 'fresh', reused: false, sentMs: 10, endMs: 20, outcome, bytes: 0 });
    const cut = played({ at: 0, kind: 'partition', direction: 'both', mode: 'reject', duration: 50, deliveredMs: 1, healedMs: 51 });
    const term = played({ at: 60, kind: 'signal', signal: 'SIGTERM', to: 'main', deliveredMs: 60, deliveries: [{ signal: 'SIGTERM', atMs: 60 }] });
    const ledger = [entry(1, 'reset'), entry(2, 'refused'), entry(3, 'http-error')];
    const [result] = lostRequests(record({ events: [cut, term] as never, ledger: ledger as never }));
    expect(result).toMatchObject({ verdict: 'fail', evidence: { lost: [{ id: 3 }] } });
    const [clean] = lostRequests(record({ events: [cut, term] as never, ledger: ledger.slice(0, 2) as never }));
    expect(clean).toMatchObject({ verdict: 'pass', evidence: { failedByPartition: 2 } });
  });
});
