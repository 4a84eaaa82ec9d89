import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyNote, untestedSignals } from '../../src/scenario/coverage.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.js';
import { tempFiles } from '../helpers/files.js';

async function problems(files: Record<string, string>, entry = 'scenario.yml') {
  const dir = tempFiles(files);
  try {
    await loadScenario(join(dir, entry));
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return { dir, problems: (error as ScenarioError).problems, message: (error as ScenarioError).message };
  }
  throw new Error('expected the scenario to be rejected');
}

describe('loadScenario', () => {
  it('loads a zoo scenario through its compose service, with paths made absolute', async () => {
    const s = await loadScenario('scenarios/shell-form.yml');
    expect(s.name).toBe('shell-form');
    expect(s.target.container).toMatchObject({
      build: { context: resolve('targets/shell-form'), dockerfile: 'Dockerfile' },
      entrypoint: ['/bin/sh', '/start-shell.sh'],
      ports: [8080],
      init: false,
    });
    expect(s.target.stopGracePeriod).toBe(3000);
    expect(s.target.process).toMatchObject({ command: ['sh', '../targets/shell-form/start-shell.sh'], cwd: resolve('scenarios'), portEnv: 'PORT' });
    expect(s.expect.SIGTERM).toEqual({ kind: 'exit', exit: [0, 143], within: 3000 });
    // SIGINT was not declared: like docker stop, it must end the target with 0 or 130 within the grace period.
    expect(s.expect.SIGINT).toEqual({ kind: 'exit', exit: [0, 130], within: 3000 });
  });

  it('normalises compose-style values: durations, signals, env lists, string commands, port mappings', async () => {
    const dir = tempFiles({
      'scenario.yml': `
target:
  image: local/app:1
  command: ./app --name "two words"
  environment: ["A=1", "B=x=y"]
  ports: ["127.0.0.1:9000:8080/tcp", 9090]
  stop_signal: QUIT
  stop_grace_period: 1m30s
  ready: { log: listening }
expect:
  TERM: { exit: [0, SIGTERM], within: 2.5s }
  SIGHUP: { alive: true, settle: 200ms }
`,
    });
    const s = await loadScenario(join(dir, 'scenario.yml'));
    expect(s.target.container).toMatchObject({ command: ['./app', '--name', 'two words'], environment: { A: '1', B: 'x=y' }, ports: [8080, 9090] });
    expect(s.target.stopSignal).toBe('SIGQUIT');
    expect(s.target.stopGracePeriod).toBe(90_000);
    expect(s.expect.SIGTERM).toEqual({ kind: 'exit', exit: [0, 143], within: 2500 });
    expect(s.expect.SIGHUP).toEqual({ kind: 'alive', settle: 200 });
    expect(s.expect.SIGQUIT).toEqual({ kind: 'exit', exit: [0, 131], within: 90_000 });
  });

  it('refuses traffic for a container that publishes no port, at each workload key, and not with a process form', async () => {
    const body = 'workload:\n  requests: [{ path: /slow }]\n  tcp: [{ send: "PING\\n" }]\n';
    const { problems: found } = await problems({ 'scenario.yml': `target:\n  image: local/app:1\n  ready: { log: up }\n${body}` });
    expect(found.map((p) => [p.keyPath, p.line])).toEqual([['workload.requests', 5], ['workload.tcp', 6]]);
    expect(found[0]!.message).toContain('publishes no port');
    const dir = tempFiles({ 'scenario.yml': `target:\n  image: local/app:1\n  process: { command: [app] }\n  ready: { log: up }\n${body}` });
    await expect(loadScenario(join(dir, 'scenario.yml'))).resolves.toBeDefined();
  });

  describe('the default fault space is the declared contract', () => {
    const load = async (body: string) => {
      const dir = tempFiles({ 'scenario.yml': `target:\n  image: local/app:1\n  ready: { log: up }\n${body}` });
      return loadScenario(join(dir, 'scenario.yml'));
    };

    it('a SIGQUIT-graceful server is fuzzed with SIGQUIT only, and told what that leaves out', async () => {
      const s = await load('  stop_signal: SIGQUIT\nexpect:\n  SIGQUIT: { exit: [0] }\n');
      expect(s.faults.signals).toEqual(['SIGQUIT']);
      expect(untestedSignals(s.coverage).map((n) => n.signal)).toEqual(['SIGTERM', 'SIGINT', 'SIGHUP']);
      expect(s.coverage[0]!.message).toMatch(/^not tested: SIGTERM — .*Kubernetes.*; declare what must hold after it under `expect`/);
      // A user-written schedule is still judged as docker stop users expect.
      expect(s.expect.SIGTERM).toEqual({ kind: 'exit', exit: [0, 143], within: 10_000 });
    });

    it('the docker stop default (SIGTERM) brings its SIGTERM/SIGINT races; declared signals join', async () => {
      const s = await load('expect:\n  SIGHUP: { alive: true }\n  SIGUSR1: { alive: true }\n');
      expect(s.faults.signals).toEqual(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1']);
      expect(untestedSignals(s.coverage)).toEqual([]);
      const int = await load('  stop_signal: SIGINT\n');
      expect(int.faults.signals).toEqual(['SIGINT', 'SIGTERM']);
      expect(untestedSignals(int.coverage).map((n) => n.signal)).toEqual(['SIGHUP']);
      const both = await load('expect:\n  SIGTERM: { exit: [0] }\n  SIGINT: { exit: [0] }\n');
      expect(both.faults.signals).toEqual(['SIGTERM', 'SIGINT']);
    });

    it('a stop signal with a contract of its own does not bring the other of the pair (gunicorn: INT is its quick shutdown)', async () => {
      const s = await load('expect:\n  SIGTERM: { exit: [0], within: 30s }\n  SIGHUP: { alive: true }\n');
      expect(s.faults.signals).toEqual(['SIGTERM', 'SIGHUP']);
      expect(untestedSignals(s.coverage).map((n) => n.signal)).toEqual(['SIGINT']);
      const lighttpd = await load('  stop_signal: SIGINT\nexpect:\n  SIGINT: { exit: [0] }\n');
      expect(lighttpd.faults.signals).toEqual(['SIGINT']);
      expect(untestedSignals(lighttpd.coverage).map((n) => n.signal)).toEqual(['SIGTERM', 'SIGHUP']);
    });

    it('a signal declared under expect but left out of faults.signals is named with the list to widen', async () => {
      const s = await load('expect:\n  SIGHUP: { alive: true }\nfaults:\n  signals: [SIGTERM]\n');
      expect(s.faults.signals).toEqual(['SIGTERM']);
      const byName = Object.fromEntries(untestedSignals(s.coverage).map((n) => [n.signal, n.hint]));
      expect(byName).toEqual({
        SIGINT: 'declare what must hold after it under `expect` to test it',
        SIGHUP: 'add it to `faults.signals` to test it',
      });
    });

    it('notes the second-signal policy in force: ignore by default, with the line that declares force-exit', async () => {
      const lighttpd = await load('  stop_signal: SIGINT\nexpect:\n  SIGINT: { exit: [0] }\n');
      expect(policyNote(lighttpd.coverage)).toMatchObject({ kind: 'second-signal-policy', policy: 'ignore', within: 1000, declared: false });
      expect(policyNote(lighttpd.coverage)!.message).toBe(
        'second signal: `ignore`, the default: a repeated SIGINT during the drain must not cut it short (production sends stop signals twice); ' +
          'if it means "stop now" for this service, declare `oracles: { second_signal: { policy: force-exit } }`',
      );
      const forced = await load('  stop_signal: SIGINT\nexpect:\n  SIGINT: { exit: [0] }\noracles:\n  second_signal: { policy: force-exit, within: 300ms }\n');
      expect(policyNote(forced.coverage)).toMatchObject({ policy: 'force-exit', within: 300, declared: true });
      expect(policyNote(forced.coverage)!.message).toBe('second signal: `force-exit` (declared): a repeated stop signal must end the target within 300 ms');
    });
  });

  it('a TCP readiness: true for the port the workload talks to, or a container port; refused without a port or as false', async () => {
    const load = async (body: string) => (await loadScenario(join(tempFiles({ 'scenario.yml': body }), 'scenario.yml'))).target;
    expect((await load('target:\n  image: x\n  ports: ["6379"]\n  ready: { tcp: true }\n')).ready).toEqual({ tcp: true, timeout: 30_000 });
    expect((await load('target:\n  image: x\n  ready: { tcp: 6379, timeout: 5s }\n')).ready).toEqual({ tcp: 6379, timeout: 5000 });
    expect((await load('target:\n  process: { command: [redis-server] }\n  ready: { tcp: true }\n')).ready.tcp).toBe(true);
    const noPort = await problems({ 'scenario.yml': 'target:\n  image: x\n  ready: { tcp: true }\n' });
    expect(noPort.problems).toEqual([
      expect.objectContaining({ keyPath: 'target.ready.tcp', message: 'a TCP probe of a container needs a port: `tcp: <container port>`, `ready.port` or `ports`' }),
    ]);
    const wrong = await problems({ 'scenario.yml': 'target:\n  image: x\n  ports: ["1"]\n  ready:\n    tcp: false\n' });
    expect(wrong.problems[0]).toMatchObject({ keyPath: 'target.ready.tcp', line: 5, message: 'expected `true` (the port the workload talks to) or a container port, 1–65535' });
    const tooHigh = await problems({ 'scenario.yml': 'target:\n  image: x\n  ready: { tcp: 70000 }\n' });
    expect(tooHigh.problems[0]!.keyPath).toBe('target.ready.tcp');
    const none = await problems({ 'scenario.yml': 'target:\n  image: x\n  ready: { timeout: 5s }\n' });
    expect(none.problems[0]).toMatchObject({ keyPath: 'target.ready', message: expect.stringContaining('expected `http`, `log` or `tcp` (or several)') });
  });

  it('a dependency ready by TCP needs no condition, and a port to be probed on', async () => {
    const body = (ready: string, ports: string) =>
      `target:\n  image: app\n  depends_on: [db]\ndependencies:\n  db:\n    image: postgres\n${ports}    ready: ${ready}\n`;
    const ok = await loadScenario(join(tempFiles({ 'scenario.yml': body('{ tcp: true }', '    ports: ["5432"]\n') }), 'scenario.yml'));
    expect(ok.dependencies[0]!.ready.tcp).toBe(true);
    const { problems: found } = await problems({ 'scenario.yml': body('{ tcp: true }', '') });
    expect(found.map((p) => p.keyPath)).toEqual(['dependencies.db.ready.tcp']);
  });

  it('names file, line, key path and what was expected for an unknown key', async () => {
    const { dir, problems: found } = await problems({
      'scenario.yml': 'target:\n  image: x\n  stop_grace: 10s\nexpect: {}\n',
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: join(dir, 'scenario.yml'), line: 3, keyPath: 'target.stop_grace' });
    expect(found[0]!.message).toMatch(/unknown key; expected one of: .*stop_grace_period/);
  });

  it('reports every wrong type with its own key path and line', async () => {
    const { message, problems: found } = await problems({
      'scenario.yml': ['target:', '  image: x', '  init: "yes"', '  stop_grace_period: soon', 'expect:', '  SIGTERM: { exit: [0, 300] }', ''].join('\n'),
    });
    const byPath = Object.fromEntries(found.map((p) => [p.keyPath, p]));
    expect(byPath['target.init']).toMatchObject({ line: 3, message: expect.stringMatching(/expected boolean/) });
    expect(byPath['target.stop_grace_period']).toMatchObject({ line: 4, message: expect.stringMatching(/expected a duration/) });
    expect(byPath['expect.SIGTERM.exit[1]']).toMatchObject({ line: 6 });
    expect(message).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('rejects an expectation that is neither exit nor alive, and a key that is not a signal', async () => {
    const { problems: found } = await problems({
      'scenario.yml': 'target: { image: x }\nexpect:\n  SIGTERM: { within: 1s }\n',
    });
    expect(found[0]).toMatchObject({ keyPath: 'expect.SIGTERM', message: expect.stringMatching(/exactly one of `exit`.*`alive: true`/) });
    const second = await problems({ 'scenario.yml': 'target: { image: x }\nexpect:\n  SIGNOPE: { alive: true }\n' });
    expect(second.problems[0]).toMatchObject({ keyPath: 'expect.SIGNOPE', line: 3, message: expect.stringMatching(/signal name/) });
  });

  it('points at the compose file for a bad key inherited from it', async () => {
    const { dir, problems: found } = await problems({
      'compose.yml': 'services:\n  app:\n    image: x\n    stop_grace_period: forever\n',
      'scenario.yml': 'target:\n  compose: compose.yml\n  service: app\n',
    });
    expect(found[0]).toMatchObject({ file: join(dir, 'compose.yml'), line: 4, keyPath: 'services.app.stop_grace_period' });
  });

  it('lists the services of the compose file when the named one is missing', async () => {
    const { problems: found } = await problems({
      'compose.yml': 'services:\n  web: { image: x }\n  db: { image: y }\n',
      'scenario.yml': 'target:\n  compose: compose.yml\n  service: api\n',
    });
    expect(found[0]).toMatchObject({ keyPath: 'target.service', line: 3, message: expect.stringMatching(/it has: web, db/) });
  });

  it('gives YAML syntax errors a line and a missing file a plain message', async () => {
    const { problems: found } = await problems({ 'scenario.yml': 'target:\n  image: [unclosed\n' });
    expect(found[0]!.message).toMatch(/invalid YAML/);
    expect(found[0]!.line).toBeGreaterThan(0);
    await expect(loadScenario('no/such/scenario.yml')).rejects.toThrow(/no such file/);
  });

  it('refuses shell syntax in string commands instead of interpreting it', async () => {
    const { problems: found } = await problems({ 'scenario.yml': 'target:\n  image: x\n  command: "./app && rm -rf /"\n' });
    expect(found[0]).toMatchObject({ keyPath: 'target.command', message: expect.stringMatching(/argument array/) });
  });

  it('ships a JSON Schema that describes the same keys', () => {
    const schema = scenarioJsonSchema() as { properties: { target: { properties: Record<string, unknown> } } };
    expect(Object.keys(schema.properties.target.properties)).toEqual(
      expect.arrayContaining(['image', 'build', 'command', 'entrypoint', 'environment', 'ports', 'init', 'stop_signal', 'stop_grace_period', 'process', 'ready']),
    );
  });
});

describe('schema/scenario.schema.json', () => {
  it('is the schema the code validates with (regenerate with `npm run schema`)', async () => {
    const { readFile } = await import('node:fs/promises');
    expect(JSON.parse(await readFile('schema/scenario.schema.json', 'utf8'))).toEqual(scenarioJsonSchema());
  });
});
