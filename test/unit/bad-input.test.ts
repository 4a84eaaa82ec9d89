import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SigstormError } from '../../src/errors.js';
import { ScheduleSchema } from '../../src/schedule/event.js';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { MAX_DURATION_MS } from '../../src/time.js';
import { aliasBomb, applyByteOp, applyStructOp, applyTextOp, byteOp, nested, structOp, textOp } from '../helpers/mutate.js';

// "sigstorm survives its own medicine": random and mutated scenario files, reports and command lines must each end
// in a result or a clear error (exit 2, naming the file / key path / expectation), never a crash or a stack trace.
// Nothing here may start a target: backend selection and the engine are replaced by a sentinel that records what
// reached them, so an input the CLI accepted shows up as "accepted" (exit 3 with the sentinel's message).

// `gc` runs in-process here: it must sweep a journal directory of its own, never this machine's.
process.env.SIGSTORM_STATE_DIR = mkdtempSync(join(tmpdir(), 'sigstorm-bad-input-state-'));

const state = vi.hoisted(() => ({ accepted: [] as { where: string; options: unknown }[], violations: [] as string[] }));
const SENTINEL = 'TEST SENTINEL: the input was accepted; a trial would start here';
const CHOICES = ['auto', 'docker', 'process'];
const COMMANDS = ['run', 'fuzz', 'merge', 'replay', 'validate', 'analyze', 'gc', 'schema'];

vi.mock('../../src/backends/select.js', async () => {
  const { infrastructure } = await import('../../src/errors.js');
  return {
    selectBackend: async (choice: unknown) => {
      state.accepted.push({ where: 'selectBackend', options: choice });
      if (!CHOICES.includes(choice as string)) state.violations.push(`selectBackend got backend ${JSON.stringify(choice)}`);
      throw infrastructure(SENTINEL);
    },
  };
});
vi.mock('../../src/backends/docker/engine.js', async (importOriginal) => {
  const { infrastructure } = await import('../../src/errors.js');
  return {
    ...(await importOriginal<object>()),
    dockerClient: async () => {
      state.accepted.push({ where: 'dockerClient', options: undefined });
      throw infrastructure(SENTINEL);
    },
    engineAnswers: async () => false,
  };
});

// What reached the library API must make sense, whatever the command line was.
const isCount = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1;
function check(where: string, ok: boolean, what: string, value: unknown) {
  if (!ok) state.violations.push(`${where}: ${what}, got ${JSON.stringify(value)}`);
}
vi.mock('../../src/session/run.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/session/run.js')>();
  return {
    ...real,
    run: (path: unknown, options: Record<string, unknown> = {}) => {
      check('run', CHOICES.includes(options.backend as string), 'backend', options.backend);
      check('run', typeof options.reportDir === 'string', 'reportDir', options.reportDir);
      check('run', options.schedule === undefined || Array.isArray(options.schedule), 'schedule', options.schedule);
      return real.run(path as string, options);
    },
  };
});
vi.mock('../../src/session/fuzz.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/session/fuzz.js')>();
  return {
    ...real,
    fuzz: (path: unknown, o: Record<string, unknown> = {}) => {
      check('fuzz', CHOICES.includes(o.backend as string), 'backend', o.backend);
      check('fuzz', o.runs === undefined || isCount(o.runs), 'runs', o.runs);
      check('fuzz', typeof o.budgetMs === 'number' && o.budgetMs > 0 && o.budgetMs <= MAX_DURATION_MS, 'budgetMs', o.budgetMs);
      check('fuzz', o.seed === undefined || (Number.isInteger(o.seed) && Math.abs(o.seed as number) < 2 ** 31), 'seed', o.seed);
      check('fuzz', o.parallel === undefined || isCount(o.parallel), 'parallel', o.parallel);
      check('fuzz', isCount(o.confirmRuns), 'confirmRuns', o.confirmRuns);
      check('fuzz', typeof o.reportDir === 'string', 'reportDir', o.reportDir);
      return real.fuzz(path as string, o);
    },
  };
});
vi.mock('../../src/session/replay.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/session/replay.js')>();
  return {
    ...real,
    replay: (file: unknown, o: Record<string, unknown> = {}) => {
      check('replay', isCount(o.times), 'times', o.times);
      check('replay', o.parallel === undefined || isCount(o.parallel), 'parallel', o.parallel);
      check('replay', o.backend === undefined || CHOICES.includes(o.backend as string), 'backend', o.backend);
      return real.replay(file as string, o);
    },
  };
});

// ---------------------------------------------------------------------------------------------------------------
// Inputs

const root = mkdtempSync(join(tmpdir(), 'sigstorm-bad-input-'));
const dir = (...parts: string[]) => join(root, ...parts);
const realScenarios = readdirSync('scenarios')
  .filter((n) => n.endsWith('.yml'))
  .map((n) => readFileSync(join('scenarios', n), 'utf8'));
const realCompose = readFileSync('docker-compose.yml', 'utf8');

/** A file's bytes, or a directory where a file is expected. */
type FileContent = Buffer | 'directory';

/** Texts a person (or a broken editor, or a fuzzer) could hand sigstorm as a scenario. */
function mutatedYaml(bases: string[]): fc.Arbitrary<FileContent> {
  const mutated = fc
    .record({
      base: fc.nat(bases.length - 1),
      struct: fc.array(structOp, { maxLength: 3 }),
      text: fc.array(textOp, { maxLength: 2 }),
      bytes: fc.option(byteOp, { freq: 8 }),
    })
    .map(({ base, struct, text, bytes }) => {
      let source = bases[base]!;
      if (struct.length) source = stringifyYaml(struct.reduce(applyStructOp, parseYaml(source) as unknown));
      const out = Buffer.from(text.reduce(applyTextOp, source));
      return bytes ? applyByteOp(out, bytes) : out;
    });
  const whole: fc.Arbitrary<FileContent> = fc.oneof(
    fc.constant(Buffer.alloc(0)),
    fc.constant('directory' as const),
    fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
    fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    fc.integer({ min: 1, max: 5000 }).map((n) => Buffer.from(`target: ${'['.repeat(n)}${']'.repeat(n)}\n`)),
    fc.integer({ min: 1, max: 500 }).map((n) => Buffer.from(stringifyYaml({ target: nested(n) }))),
    fc.integer({ min: 3, max: 12 }).map((n) => Buffer.from(`${aliasBomb(n)}target: *l${n}\n`)),
    fc.constantFrom('target: *nope\n', 'target:\n  <<: 5\n', '# only a comment\n', '---\n---\n', 'a: 1\n---\nb: 2\n').map((s) => Buffer.from(s)),
  );
  return fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 1, arbitrary: whole });
}

const scenarioFile = mutatedYaml(realScenarios);
const composeFile = fc.oneof({ weight: 3, arbitrary: fc.constant(Buffer.from(realCompose)) }, { weight: 1, arbitrary: mutatedYaml([realCompose]) });

function write(path: string, content: FileContent) {
  rmSync(path, { recursive: true, force: true });
  if (content === 'directory') mkdirSync(path);
  else writeFileSync(path, content);
}

// A recorded trial and a fuzz report, the seeds of mutated analyze / replay inputs.
const trialRecord = {
  scenario: { name: 'demo', path: resolve('scenarios/double-close.yml') },
  backend: 'process',
  runId: 'r1',
  expect: { SIGTERM: { kind: 'exit', exit: [0, 143], within: 1000 }, SIGHUP: { kind: 'alive', settle: 500 } },
  oracles: { lost_requests: { no_refusals_for: 0 }, handles: { fd_slack: 8, allow_zombies: false, removed_on_exit: ['app.pid'] } },
  stopSignal: 'SIGTERM',
  stopGracePeriodMs: 3000,
  target: { id: '4242', pid: 4242 },
  readyAt: '2026-11-26T00:00:00.000Z',
  readyMonotonicMs: 1000,
  spawnToReadyMs: 20,
  schedule: [{ at: 100, kind: 'signal', signal: 'SIGTERM', to: 'main' }],
  events: [
    { at: 100, kind: 'signal', signal: 'SIGTERM', to: 'main', origin: 'schedule', scheduledMs: 100, deliveredMs: 101, deliveries: [{ signal: 'SIGTERM', atMs: 101 }], via: 'host-pid', pids: [4242] },
  ],
  checks: [{ event: 0, atMs: 600, alive: true, ready: { ok: true, detail: '200' } }],
  exit: { exitCode: 0, signal: null, status: 0, atMs: 180, forcedKill: false, lingering: [] },
  samples: [{ atMs: 0, processes: [{ pid: 4242, ppid: 1, pgid: 4242, sid: 4242, state: 'S', comm: 'server', fds: 7, startTime: 1 }] }],
  ledger: [{ id: 1, kind: 'request', method: 'GET', path: '/slow', connection: 'fresh', reused: false, sentMs: 50, firstByteMs: 150, endMs: 160, outcome: 'ok', status: 200, bytes: 2 }],
  readback: { file: 'writes.log', ids: [1, 2] },
  files: [{ path: 'app.pid', exists: false }],
  logs: [{ atMs: 0, stream: 'stdout', text: 'listening' }],
};
const fuzzReport = {
  schemaVersion: 1,
  command: 'fuzz',
  scenario: { name: 'double-close', path: resolve('scenarios/double-close.yml') },
  backend: 'process',
  outcome: { kind: 'failed', signature: 'second-signal/not-ignored', minimal: [{ at: 0, kind: 'race', signals: ['SIGTERM', 'SIGINT'], to: 'main' }] },
};
const jsonFile: fc.Arbitrary<FileContent> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ base: fc.constantFrom<unknown>({ trial: trialRecord }, trialRecord, fuzzReport, { scenario: 'scenarios/double-close.yml', events: [] }), ops: fc.array(structOp, { minLength: 1, maxLength: 3 }) }).map(({ base, ops }) => Buffer.from(JSON.stringify(ops.reduce(applyStructOp, base)) ?? 'null')) },
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.record({ at: fc.nat(), text: fc.constant(JSON.stringify({ trial: trialRecord })) }).map(({ at, text }) => Buffer.from(text.slice(0, at % text.length))),
  scenarioFile,
);

// ---------------------------------------------------------------------------------------------------------------
// Outcomes

/** No stack frames, no sigstorm bug, nothing a person cannot act on. */
function expectReadable(text: string, context: string) {
  expect(text, context).not.toMatch(/internal error/);
  expect(text, context).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(text, context).not.toMatch(/\[object Object\]|received undefined|oracle crashed/);
}

/** What a valid scenario must be: plain finite data the rest of sigstorm can use as it is. */
function expectUsable(s: Scenario) {
  const text = JSON.stringify(s);
  expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(s))); // plain, serialisable
  JSON.parse(text, (_k, v: unknown) => {
    if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    return v;
  });
  expect(s.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
  expect(isAbsolute(s.path)).toBe(true);
  for (const ms of [s.target.stopGracePeriod, s.target.ready.timeout, s.faults.horizon, s.faults.step]) expect(ms).toBeLessThanOrEqual(MAX_DURATION_MS);
  expect(s.faults.step).toBeGreaterThanOrEqual(1);
  for (const word of [...(s.target.process?.command ?? []), ...Object.entries(s.target.process?.env ?? {}).flat()]) expect(word).not.toContain('\0');
  // The fuzzer can draw schedules from it, and each is one the schedule parser accepts.
  for (const schedule of fc.sample(scheduleArbitrary(s), 3)) expect(ScheduleSchema.safeParse(schedule).success).toBe(true);
}

const show = (content: FileContent) => (content === 'directory' ? '<a directory>' : JSON.stringify(content.toString('utf8').slice(0, 1500)));

/** Failures name the input in readable form (fast-check prints Buffers byte by byte). */
async function explained(input: string, body: () => Promise<void>) {
  try {
    await body();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- input ---\n${input}`);
  }
}

/** Runs the CLI in this process, with its output captured. */
async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => (chunk: unknown) => {
    into.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture(out) as never),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture(err) as never),
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(`${a.join(' ')}\n`)),
    vi.spyOn(console, 'info').mockImplementation((...a: unknown[]) => void out.push(`${a.join(' ')}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(`${a.join(' ')}\n`)),
    vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void err.push(`${a.join(' ')}\n`)),
  ];
  process.exitCode = 0;
  try {
    await main(argv);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout: out.join(''), stderr: err.join('') };
}

// ---------------------------------------------------------------------------------------------------------------

const SCENARIO_RUNS = Number(process.env.SIGSTORM_BAD_INPUT_SCENARIOS ?? 700);
const CLI_RUNS = Number(process.env.SIGSTORM_BAD_INPUT_CLI ?? 600);
// A fresh seed each run (fast-check prints it with any failure); SIGSTORM_BAD_INPUT_SEED=… replays one.
const seed = process.env.SIGSTORM_BAD_INPUT_SEED ? { seed: Number(process.env.SIGSTORM_BAD_INPUT_SEED) } : {};
const counts = { scenarios: { loaded: 0, rejected: 0 }, cli: {} as Record<string, number> };

beforeAll(() => {
  mkdirSync(dir('scenarios'));
  mkdirSync(dir('empty-dir'));
  mkdirSync(dir('dir.yml'));
  writeFileSync(dir('docker-compose.yml'), realCompose);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('bad input never crashes sigstorm', () => {
  // What a test's inputs reached is its own: the property's last generated command line (a `gc`, say, which asks
  // the engine) must not count against the test after it.
  beforeEach(() => {
    state.accepted.length = 0;
    state.violations.length = 0;
  });
  it('a mutated scenario (or compose file) loads as a usable scenario or is rejected naming file, line and key path', async () => {
    const scenarioPath = dir('scenarios', 'mutated.yml');
    const composePath = dir('docker-compose.yml');
    await fc.assert(
      fc.asyncProperty(scenarioFile, composeFile, async (scenario, compose) => {
        write(scenarioPath, scenario);
        write(composePath, compose);
        await explained(`scenario:\n${show(scenario)}\ncompose:\n${show(compose).slice(0, 300)}`, async () => {
          let loaded: Scenario;
          try {
            loaded = await loadScenario(scenarioPath);
          } catch (error) {
            counts.scenarios.rejected++;
            expect(error, String((error as Error)?.stack)).toBeInstanceOf(SigstormError);
            const e = error as SigstormError;
            expect(e.kind).toBe('bad-input');
            expectReadable(e.message, e.message);
            expect(e.message).toMatch(new RegExp(`${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(scenarios/mutated|docker-compose)\\.yml`));
            if (e instanceof ScenarioError) {
              for (const line of e.message.split('\n')) expect(line, e.message).toMatch(/^\/\S*?\.yml(:\d+:\d+)?: \S/);
            }
            return;
          }
          counts.scenarios.loaded++;
          expectUsable(loaded);
        });
      }),
      { numRuns: SCENARIO_RUNS, ...seed, endOnFailure: true },
    );
  });

  it('a random or mutated command line ends in a result or a clear error, exit 2, never a crash', async () => {
    const slot = dir('slot.yml');
    const paths = fc.constantFrom(
      slot,
      slot,
      slot,
      dir('missing.yml'),
      dir('empty-dir'),
      dir('dir.yml'),
      root,
      'scenarios/double-close.yml',
      'scenarios/hup-leak-fixed.yml',
      '',
      '-',
      ' ',
      '/dev/null',
      '/proc/self/status',
      'x'.repeat(300),
      'a\u0000b',
    );
    const numberish = fc.oneof(fc.constantFrom('0', '-1', '1', '2', '1.5', 'NaN', 'Infinity', '1e309', 'abc', '', '99999999999999999999', '2147483648', '0x10', ' 3'), fc.integer().map(String), fc.double().map(String));
    const durationish = fc.constantFrom('10 parsecs', '0s', '-1s', '5m', '1ms', '1e9h', '999999999h', '', 'NaN', '90', '1m30s');
    const eventsJson = fc.oneof(
      fc.constantFrom('[{"at":100,"signal":"SIGTERM"}]', '[]', '{', '[{"at":0,"signal":"SIGNOPE"}]', '[{"at":"10 parsecs","signal":"TERM"}]', '[{"at":-5,"signal":"SIGTERM"}]', '[{"at":1e309,"signal":"SIGTERM"}]', '{"events":[{"at":1,"kind":"pause"}]}', 'null', '5', '"x"', '[null]', '[{"kind":"storm","at":0,"count":1e9}]'),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
      fc.string({ maxLength: 30 }),
    );
    const flag = fc.oneof(
      fc.tuple(fc.constantFrom('--backend'), fc.constantFrom('auto', 'docker', 'process', 'kubernetes', '', 'AUTO')),
      fc.tuple(fc.constantFrom('--runs', '--seed', '--parallel', '--confirm', '--times'), numberish),
      fc.tuple(fc.constant('--budget'), durationish),
      fc.tuple(fc.constant('--events'), eventsJson),
      fc.tuple(fc.constant('--schedule'), paths),
      // Report directories are created: odd names go under the temporary root, never into the working tree.
      fc.tuple(fc.constant('--report-dir'), paths.map((p) => (p === '-' || p === ' ' ? join(root, p) : p))),
      fc.tuple(fc.constantFrom('--json', '--help', '--version', '--nope', '-x', '--', '-', '-_', '--_', '-x_y', '--__proto__', '--constructor', '--json=maybe', '--no-json', '--events', '--runs', '--backend')),
      fc.tuple(fc.string({ maxLength: 12 })),
    );
    const piece = fc.oneof({ weight: 2, arbitrary: paths.map((p) => [p]) }, { weight: 3, arbitrary: flag.map((f) => [...f]) });
    const argv = fc
      .tuple(fc.constantFrom('run', 'fuzz', 'merge', 'replay', 'validate', 'analyze', 'gc', 'schema', 'explode', '', '--json'), fc.array(piece, { maxLength: 5 }))
      .map(([command, pieces]) => [command, ...pieces.flat()].filter((a, i) => i > 0 || a !== ''))
      // Never ask gc to remove every container, not even of a mocked engine.
      .filter((args) => !(args[0] === 'gc' && args.includes('--all')));
    const slotContent = fc.oneof(scenarioFile, jsonFile);

    await fc.assert(
      fc.asyncProperty(argv, slotContent, async (args, content) => {
        write(slot, content);
        await explained(`argv: ${JSON.stringify(args)}\nslot:\n${show(content)}`, async () => {
          state.accepted.length = 0;
          state.violations.length = 0;
          const r = await cli(args);
          const context = `sigstorm ${JSON.stringify(args)} → exit ${r.code}\n${r.stderr}`;
          const accepted = r.stderr.includes(SENTINEL);
          const key = `${COMMANDS.includes(args[0]!) ? args[0] : 'other'} ${accepted ? 'accepted' : `exit ${r.code}`}`;
          counts.cli[key] = (counts.cli[key] ?? 0) + 1;
          expect(state.violations, context).toEqual([]);
          expect([0, 1, 2, 3], context).toContain(r.code);
          expectReadable(r.stderr, context);
          expectReadable(r.stdout, context);
          // Nothing can pass here but checking files, printing the schema, judging a saved record, gc (with no
          // engine it still sweeps processes and directories), or help.
          if (r.code === 0 && !args.some((a) => a === '--help' || a === '--version')) expect(['validate', 'schema', 'analyze', 'gc'], context).toContain(args[0]);
          if (r.code === 3) expect(accepted, context).toBe(true); // nothing here is an environment failure
          if (r.code === 2) {
            // A message that says what was wrong, for a person: sigstorm's own, or a scenario problem with its file.
            expect(r.stderr, context).toMatch(/^(sigstorm: .*\S|\/.*?: \S|".*?": \S)/m);
            expect(r.stderr.replaceAll(SENTINEL, ''), context).not.toMatch(/^sigstorm: $/m);
          }
        });
      }),
      { numRuns: CLI_RUNS, ...seed, endOnFailure: true },
    );
  });

  it('validate answers for every file it is given', async () => {
    const files = ['scenarios/double-close.yml', 'scenarios/hup-leak.yml', 'scenarios/probe.yml', dir('missing.yml'), dir('slot.yml'), dir('dir.yml')];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...files), { minLength: 1, maxLength: 4 }), scenarioFile, async (named, content) => {
        write(dir('slot.yml'), content === 'directory' ? Buffer.from('') : content);
        const r = await cli(['validate', ...named]);
        counts.cli['validate (every file)'] = (counts.cli['validate (every file)'] ?? 0) + 1;
        const out = `${r.stdout}${r.stderr}`;
        for (const file of named) expect(out.includes(file) || out.includes(resolve(file)), `${file} is not answered for in:\n${out}`).toBe(true);
        // A missing file or a directory is always wrong; a mutated slot may still be a valid scenario.
        if (named.every((f) => f.startsWith('scenarios/'))) expect(r.code).toBe(0);
        else if (named.some((f) => f === dir('missing.yml') || f === dir('dir.yml'))) expect(r.code).toBe(2);
        else expect([0, 2]).toContain(r.code);
      }),
      { numRuns: 100, ...seed, endOnFailure: true },
    );
  });

  // What the properties found, pinned so that no seed has to find it again.
  it.each([
    ['an alias bomb', `${aliasBomb(9)}target: *l9\n`, /:1:1: invalid YAML: too many aliases/],
    ['a merge key of a scalar', 'target:\n  <<: 5\n', /:1:1: invalid YAML: Merge sources must be maps/],
    ['an alias without anchor', 'target: *nope\n', /:1:1: invalid YAML: Unresolved alias/],
    ['bytes that are not UTF-8', Buffer.from([0x74, 0x3a, 0x20, 0xff, 0x0a]), /:1:1: expected UTF-8 text \(invalid byte 0xff at offset 3/],
    ['a NUL byte in an argument', 'target:\n  process: { command: ["a\\0b"] }\n  ready: { log: x }\n', /target\.process\.command\[0\]: expected text without NUL bytes/],
    ['a $VARIABLE in a string command', 'target:\n  process: { command: "./app --password $SECRET" }\n  ready: { log: x }\n', /\$SECRET would not be expanded/],
    ['a fault step of 0', 'target:\n  process: { command: [x] }\n  ready: { log: x }\nfaults: { step: 0 }\n', /faults\.step: expected a step of at least 1ms/],
    ['a horizon_max below the horizon', 'target:\n  process: { command: [x] }\n  ready: { log: x }\nfaults: { horizon: 2s, horizon_max: 1s }\n', /mutated\.yml:4:\d+: faults\.horizon_max: expected at least the horizon \(2000 ms\)/],
    ['a duration beyond what timers can wait', 'target:\n  process: { command: [x] }\n  ready: { log: x }\n  stop_grace_period: 99999999999999\n', /stop_grace_period: expected a duration .* at most 24 days/],
    ['a compose service named __proto__', 'target:\n  compose: ../docker-compose.yml\n  service: __proto__\n', /target\.service: expected a service of/],
    ['a compose file that is not there', 'target:\n  compose: ../nope.yml\n  service: x\n', /mutated\.yml:2:12: target\.compose: .*nope\.yml: cannot read compose file \(no such file\)/],
    ['a key nobody can see', '"\\ufeffexpect": {}\ntarget: { image: x }\n', /: "\\ufeffexpect": unknown key/],
  ])('the loader refuses %s with file, line and key path', async (_what, content, message) => {
    write(dir('scenarios', 'mutated.yml'), Buffer.from(content));
    write(dir('docker-compose.yml'), Buffer.from(realCompose));
    const error = await loadScenario(dir('scenarios', 'mutated.yml')).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toMatch(message);
  });

  it('names a file after its scenario safely when `name` is not given', async () => {
    write(dir('scenarios', '$(reboot) v2.yml'), Buffer.from('target:\n  process: { command: [x] }\n  ready: { log: x }\n'));
    expect((await loadScenario(dir('scenarios', '$(reboot) v2.yml'))).name).toBe('reboot-v2');
  });

  it.each([
    [['run', 'x.yml', '-_'], /Unknown argument: -_/],
    [['validate', '-'], /name at least one scenario file/],
    [['fuzz', '-'], /name at least one scenario file/],
    [['run', '-'], /expected the path of a scenario file/],
    [['--', 'run', 'x.yml'], /Name a command/],
    [['validate', dir('empty-dir')], /a directory without scenario files/],
    [['fuzz', 'scenarios/double-close.yml', '--parallel', '0'], /--parallel: expected a whole number from 1 to 64, got 0/],
    [['fuzz', 'scenarios/double-close.yml', '--seed', '1.5'], /--seed: expected a whole number/],
    [['fuzz', 'scenarios/double-close.yml', '--confirm', 'x'], /--confirm: expected a whole number from 1 to 100000, got something that is not a number/],
    [['replay', 'x.json', '--times', '-1'], /--times: expected a whole number/],
    [['run', 'scenarios/double-close.yml', '--events', ''], /--events: not valid JSON/],
    [['run', 'scenarios/double-close.yml', '--events', '{}'], /--events: expected a list of events/],
    [['run', 'x.yml', '--report-dir', 'a', '--report-dir', 'b'], /--report-dir: given more than once/],
    [['fuzz', 'x.yml', '--seed', '1', '--seed', '2'], /--seed: given more than once/],
  ])('the CLI refuses %j with exit 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(state.accepted).toEqual([]);
  });

  it.each([
    ['analyze', 'null', /expected a report or trial record \(a JSON object\)/],
    ['analyze', JSON.stringify({ trial: { ...trialRecord, events: [{ kind: 'signal' }] } }), /trial\.events\[0\]\.at: missing: expected number/],
    ['replay', 'null', /expected a fuzz report or/],
    ['replay', JSON.stringify({ ...fuzzReport, backend: 'kubernetes' }), /backend: expected auto, docker or process, got "kubernetes"/],
  ])('%s refuses a malformed file %s with exit 2', async (command, content, message) => {
    write(dir('slot.yml'), Buffer.from(content));
    state.accepted.length = 0;
    const r = await cli([command, dir('slot.yml')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(state.accepted).toEqual([]);
  });

  it('ran at least 1,000 generated inputs (issue #7)', () => {
    const ran = counts.scenarios.loaded + counts.scenarios.rejected + Object.values(counts.cli).reduce((a, b) => a + b, 0);
    console.log(`bad-input: ${ran} generated inputs ran: ${counts.scenarios.loaded + counts.scenarios.rejected} scenario files (${counts.scenarios.loaded} loaded, ${counts.scenarios.rejected} rejected), command lines ${JSON.stringify(counts.cli)}`);
    expect(ran).toBeGreaterThanOrEqual(1000);
  });
});
