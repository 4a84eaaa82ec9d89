import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { badLine, parseExecLine, type LineClock } from '../../src/workload/exec-line.js';
import { tempFiles } from '../helpers/files.js';

// Epoch 1.8e12 ms is readiness (trial 0); the client started at trial 100 ms; the line is read at trial 5000 ms.
const EPOCH_AT_READY = 1_800_000_000_000;
const clock: LineClock = { trialMs: (epoch) => epoch - EPOCH_AT_READY, readMs: 5000, startedMs: 100 };
const at = (trialMs: number) => EPOCH_AT_READY + trialMs;
const parse = (value: unknown) => parseExecLine(typeof value === 'string' ? value : JSON.stringify(value), clock);
const problem = (value: unknown) => {
  const result = parse(value);
  return result && 'problem' in result ? result.problem : `no problem: ${JSON.stringify(result)}`;
};

describe('exec client lines', () => {
  it('takes start and end in epoch ms onto the trial clock, with the verb as method and the client id in the path', () => {
    expect(parse({ id: 3, op: 'PUT /k/3', start: at(1000.5), end: at(1300), first_byte_ms: 299, outcome: 'ok', status: 200, bytes: 5 })).toEqual({
      entry: {
        kind: 'request',
        protocol: 'exec',
        method: 'PUT',
        path: '/k/3 (client #3)',
        connection: 'fresh',
        reused: false,
        sentMs: 1000.5,
        firstByteMs: 1299.5,
        endMs: 1300,
        outcome: 'ok',
        status: 200,
        bytes: 5,
      },
    });
  });

  it('ends an operation given by its duration alone when the line was read, or at start + duration', () => {
    expect(parse({ id: 0, duration_ms: 250, outcome: 'reset', error: 'ECONNRESET' })).toMatchObject({
      entry: { sentMs: 4750, endMs: 5000, outcome: 'reset', error: 'ECONNRESET', method: 'EXEC', path: 'client #0', bytes: 0 },
    });
    expect(parse({ id: 1, start: at(200), duration_ms: 50, outcome: 'ok' })).toMatchObject({ entry: { sentMs: 200, endMs: 250 } });
  });

  it('labels an op that does not start with a verb as a path, under EXEC', () => {
    expect(parse({ id: 7, op: 'checkout cart', duration_ms: 1, outcome: 'ok' })).toMatchObject({ entry: { method: 'EXEC', path: 'checkout cart (client #7)' } });
    expect(parse({ id: 8, op: 'PING', duration_ms: 1, outcome: 'ok' })).toMatchObject({ entry: { method: 'PING', path: 'client #8' } });
  });

  it('makes a write of acknowledged, with the client id as write id, and of kind: write', () => {
    expect(parse({ id: 12, op: 'SET k', duration_ms: 3, outcome: 'ok', acknowledged: true })).toMatchObject({ entry: { kind: 'write', writeId: 12 } });
    expect(parse({ id: 13, duration_ms: 3, outcome: 'timeout', acknowledged: false })).toMatchObject({ entry: { kind: 'write', writeId: 13, outcome: 'timeout' } });
    expect(parse({ id: 14, duration_ms: 3, outcome: 'ok', kind: 'write' })).toMatchObject({ entry: { kind: 'write', writeId: 14 } });
    expect(parse({ id: 15, duration_ms: 3, outcome: 'truncated', kind: 'stream' })).toMatchObject({ entry: { kind: 'stream' } });
    expect(parse({ id: 15, duration_ms: 3, outcome: 'ok' })).not.toHaveProperty('entry.writeId');
  });

  it('ignores blank lines', () => {
    expect(parse('')).toBeUndefined();
    expect(parse('  \t')).toBeUndefined();
  });

  it('says what is wrong with each bad line', () => {
    expect(problem('connected to 127.0.0.1')).toMatch(/^not JSON \(Unexpected token/);
    expect(problem('{"id": 1, "outcome": "ok", "duration_ms": 3')).toMatch(/^not JSON/);
    expect(problem('[1, 2]')).toBe('expected object, received array');
    expect(problem({ outcome: 'ok', duration_ms: 1 })).toBe('id: missing');
    expect(problem({ id: -1, outcome: 'ok', duration_ms: 1 })).toBe('id: Too small: expected number to be >=0');
    expect(problem({ id: 1.5, outcome: 'ok', duration_ms: 1 })).toBe('id: expected int, received number');
    expect(problem({ id: 1, duration_ms: 1 })).toBe('outcome: missing');
    expect(problem({ id: 1, outcome: 'success', duration_ms: 1 })).toBe(
      'outcome: expected one of ok, refused, reset, truncated, timeout, http-error, rpc-error, wrong-reply',
    );
    expect(problem({ id: 1, outcome: 'ok', duration: 3 })).toBe(
      'unknown key "duration" (expected id, outcome, start, end, duration_ms, first_byte_ms, op, kind, acknowledged, status, bytes, error)',
    );
    expect(problem({ id: 1, outcome: 'ok' })).toBe('missing: expected start and end (Unix epoch ms), or duration_ms');
    expect(problem({ id: 1, outcome: 'ok', start: at(200) })).toBe('start without end: expected end (Unix epoch ms) or duration_ms too');
    expect(problem({ id: 1, outcome: 'ok', end: at(200) })).toBe('end without start: expected start too (Unix epoch ms)');
    expect(problem({ id: 1, outcome: 'ok', start: at(200), end: at(300), duration_ms: 100 })).toBe('expected either end or duration_ms, not both');
    expect(problem({ id: 1, outcome: 'ok', start: at(300), end: at(200) })).toBe('end is 100 ms before start');
    expect(problem({ id: 1, outcome: 'ok', start: at(200), end: at(300), first_byte_ms: 150 })).toBe('first_byte_ms (150) is after the end, 100 ms after the start');
    expect(problem({ id: 1, outcome: 'ok', duration_ms: -1 })).toBe('duration_ms: Too small: expected number to be >=0');
    expect(problem({ id: 1, outcome: 'ok', duration_ms: 1, acknowledged: 'yes' })).toBe('acknowledged: expected boolean, received string');
    expect(problem({ id: 1, outcome: 'ok', duration_ms: 1, acknowledged: true, kind: 'request' })).toBe('acknowledged marks a write, but kind is request');
    expect(problem({ id: 1, outcome: 'reset', duration_ms: 1, acknowledged: true })).toBe(
      'acknowledged is true but outcome is reset: a write is acknowledged exactly when its outcome is ok',
    );
    expect(problem({ id: 1, outcome: 'ok', duration_ms: 1, acknowledged: false })).toMatch(/^acknowledged is false but outcome is ok/);
  });

  it('takes times in seconds, or from before the client started, for the wrong unit', () => {
    // time.time() without * 1000: 1.8e9 "ms" is in January 1970.
    expect(problem({ id: 1, outcome: 'ok', start: EPOCH_AT_READY / 1000, end: EPOCH_AT_READY / 1000 + 0.3 })).toBe(
      'start is 57 years before the client was started: expected Unix epoch milliseconds (Date.now(), time.time() * 1000)',
    );
    // Microseconds: far in the future.
    expect(problem({ id: 1, outcome: 'ok', start: at(200) * 1000, end: at(300) * 1000 })).toMatch(/^start is .* years before|^end is .* after the line was read/);
    expect(problem({ id: 1, outcome: 'ok', start: at(200), end: at(9000) })).toBe(
      'end is 4000 ms after the line was read: expected Unix epoch milliseconds (Date.now(), time.time() * 1000)',
    );
    // Within the slack of a second either side: clock noise, taken as is.
    expect(parse({ id: 1, outcome: 'ok', start: at(-500), end: at(5500) })).toMatchObject({ entry: { sentMs: -500, endMs: 5500 } });
  });

  it('quotes a bad line with its number, shortened, its invisible characters spelled out', () => {
    expect(badLine(3, 'hello\tworld\u0007', 'not JSON')).toBe('line 3 is not an operation: not JSON\n  3 | hello\\u0009world\\u0007');
    const long = badLine(12, `{"id": 1, "outcome": "ok", "op": "${'x'.repeat(300)}"}`, 'p');
    expect(long).toMatch(/^line 12 is not an operation: p\n {2}12 \| \{"id": 1, "outcome": "ok", "op": "x+…$/);
    expect(long.length).toBeLessThan(170);
  });
});

describe('exec in a scenario', () => {
  const load = async (yaml: string) => {
    const dir = tempFiles({ 'scenario.yml': yaml });
    const error = await loadScenario(join(dir, 'scenario.yml')).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).problems;
  };

  it('refuses {host} and {port} for a container target with no port, naming the argument', async () => {
    const problems = await load('target: { image: x, ready: { log: up } }\nworkload:\n  exec: { command: [node, client.mjs, "{host}", "{port}"] }\n');
    expect(problems[0]).toMatchObject({ keyPath: 'workload.exec.command[2]', line: 3 });
    expect(problems[0]!.message).toMatch(/publishes no port: give it `ports:`/);
    const inEnv = await load('target: { image: x, ready: { log: up } }\nworkload:\n  exec:\n    command: [c]\n    env: { TARGET: "{host}:{port}" }\n');
    expect(inEnv[0]).toMatchObject({ keyPath: 'workload.exec.env.TARGET', line: 5 });
  });

  it('refuses a second read-back next to that of `writes`', async () => {
    const problems = await load(
      'target: { process: { command: [x] }, ready: { log: up } }\nworkload:\n  writes: { path: /w, readback: a.log }\n  exec: { command: [c], readback: b.log }\n',
    );
    expect(problems[0]).toMatchObject({ keyPath: 'workload.exec.readback', line: 4 });
  });
});
