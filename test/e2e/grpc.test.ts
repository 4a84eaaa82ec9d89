import { readFileSync, writeFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/backends/process/free-port.js';
import { workload as workloadSchema } from '../../src/scenario/schema/workload.js';
import { now, sleep } from '../../src/time.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';
import { startWorkload } from '../../src/workload/workload.js';
import { sigstorm } from '../helpers/cli.js';
import { tempFiles } from '../helpers/files.js';

// The gRPC workload against the zoo's real grpc-js server (targets/grpc/server.js, started here as a process):
// each way a call can end, as the ledger records it. The zoo rows (targets/zoo.json) run the whole trials.

const SERVER = resolve('targets/grpc/server.js');
const PROTO = resolve('targets/grpc/zoo.proto');
const servers: ResultPromise[] = [];

async function zooServer(mode: 'graceful' | 'force-shutdown') {
  const port = await freePort();
  const server = execa('node', [SERVER], { env: { PORT: String(port), ZOO_MODE: mode }, reject: false, all: true });
  servers.push(server);
  await new Promise<void>((ready, failed) => {
    server.all!.on('data', (chunk: Buffer) => chunk.toString().includes('listening on') && ready());
    void server.then((r) => failed(new Error(`the zoo server exited first: ${r.all}`)));
  });
  return { server, endpoint: { host: '127.0.0.1', port } };
}

afterEach(() => {
  for (const server of servers.splice(0)) server.kill('SIGKILL');
});

function drive(endpoint: { host: string; port: number }, grpc: unknown[], cwd = '/') {
  return startWorkload({ workload: workloadSchema.parse({ grpc }), endpoint, services: new Map(), originMs: now(), cwd });
}

const outcomes = (ledger: LedgerEntry[]) => [...new Set(ledger.map((e) => e.outcome))].sort();

describe('gRPC workload against a real grpc-js server', () => {
  it('unary calls: ok, then reset when the server is killed under them, then refused', async () => {
    const { server, endpoint } = await zooServer('graceful');
    const traffic = drive(endpoint, [{ proto: PROTO, method: 'zoo.Zoo/Work', request: { id: '{id}' }, rate: 40, concurrency: 8, timeout: '2s' }]);
    await sleep(800);
    server.kill('SIGKILL');
    await sleep(300);
    const ledger = await traffic.stop();

    expect(ledger.every((e) => e.protocol === 'grpc' && e.kind === 'request' && e.method === 'UNARY' && e.path === '/zoo.Zoo/Work')).toBe(true);
    expect(outcomes(ledger)).toEqual(['ok', 'refused', 'reset']);
    const ok = ledger.find((e) => e.outcome === 'ok')!;
    expect(ok).toMatchObject({ status: 0, code: 'OK', connection: 'keep-alive', bytes: expect.any(Number) });
    expect(ok.firstByteMs! - ok.sentMs).toBeGreaterThanOrEqual(290); // the server's 300 ms of work
    const reset = ledger.filter((e) => e.outcome === 'reset');
    expect(reset.every((e) => e.code === 'UNAVAILABLE' && e.firstByteMs === undefined)).toBe(true);
    const refused = ledger.filter((e) => e.outcome === 'refused');
    expect(refused[0]).toMatchObject({ status: 14, code: 'UNAVAILABLE', error: expect.stringMatching(/^No connection established\. Last error: .*ECONNREFUSED/) });
    expect(Math.min(...refused.map((e) => e.sentMs))).toBeGreaterThan(Math.max(...reset.map((e) => e.sentMs)));
    // One HTTP/2 connection, from the first call until the kill.
    expect(traffic.connections).toHaveLength(1);
    expect(traffic.connections[0]!.closeMs).toBeGreaterThan(700);
    expect(ledger.filter((e) => e.reused).length).toBeGreaterThan(0);
  });

  it('server-streaming calls: cut by forceShutdown after their first ticks → truncated (CANCELLED)', async () => {
    const { server, endpoint } = await zooServer('force-shutdown');
    const traffic = drive(endpoint, [{ proto: PROTO, method: 'zoo.Zoo/Ticks', count: 3 }]);
    await sleep(450);
    server.kill('SIGTERM');
    expect((await server).exitCode).toBe(0);
    const ledger = await traffic.stop();
    expect(ledger).toHaveLength(3);
    for (const e of ledger) {
      expect(e).toMatchObject({ kind: 'stream', method: 'STREAM', path: '/zoo.Zoo/Ticks', outcome: 'truncated', status: 1, code: 'CANCELLED', error: 'Call cancelled' });
      // Cut after their first ticks (2 bytes each, at once, then every 100 ms): some whole ticks came, the first before
      // the cut. How many fit in the 450 ms is up to a busy machine, so the test holds the order, not a count.
      expect(e.bytes).toBeGreaterThanOrEqual(2);
      expect(e.bytes % 2).toBe(0);
      expect(e.firstByteMs).toBeLessThan(e.endMs);
    }
  });

  it('server-streaming calls the server ends with OK on SIGTERM are ok; one still open at the end is a timeout, never a loss', async () => {
    const graceful = await zooServer('graceful');
    const ended = drive(graceful.endpoint, [{ proto: PROTO, method: 'zoo.Zoo/Ticks', count: 2 }]);
    await sleep(300);
    graceful.server.kill('SIGTERM');
    expect((await graceful.server).exitCode).toBe(0);
    expect((await ended.stop()).map((e) => [e.outcome, e.code])).toEqual([['ok', 'OK'], ['ok', 'OK']]);

    const open = await zooServer('graceful');
    const unfinished = drive(open.endpoint, [{ proto: PROTO, method: 'zoo.Zoo/Ticks', count: 2 }]);
    await sleep(300);
    const ledger = await unfinished.stop(); // waits 2 s for them, then abandons them
    for (const e of ledger) {
      expect(e).toMatchObject({ outcome: 'timeout', error: 'unfinished when the trial ended', bytes: expect.any(Number) });
      expect(e.status).toBeUndefined(); // no status came: the client cancelled
      expect(e.endMs - e.firstByteMs!).toBeGreaterThan(1900);
    }
    // The channel closed with the workload.
    expect(unfinished.connections).toEqual([{ openMs: expect.any(Number), closeMs: expect.any(Number) }]);
  });

  it('a status the server sent is an answer: UNIMPLEMENTED → rpc-error; a deadline → timeout', async () => {
    const { endpoint } = await zooServer('graceful');
    const dir = tempFiles({ 'zoo.proto': readFileSync(PROTO, 'utf8').replace('service Zoo {', 'service Zoo {\n  rpc Missing (WorkRequest) returns (WorkReply);') });
    const traffic = drive(
      endpoint,
      [
        { proto: 'zoo.proto', method: 'zoo.Zoo/Missing', rate: 10 },
        { proto: 'zoo.proto', method: 'zoo.Zoo/Work', request: { id: 1 }, rate: 10, timeout: '100ms' },
      ],
      dir,
    );
    await sleep(500);
    const ledger = await traffic.stop();
    const missing = ledger.filter((e) => e.path === '/zoo.Zoo/Missing');
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.every((e) => e.outcome === 'rpc-error' && e.status === 12 && e.code === 'UNIMPLEMENTED')).toBe(true);
    const slow = ledger.filter((e) => e.path === '/zoo.Zoo/Work');
    expect(slow.length).toBeGreaterThan(0);
    expect(slow.every((e) => e.outcome === 'timeout' && e.code === 'DEADLINE_EXCEEDED')).toBe(true);
  });
});

describe('gRPC bad input: exit 2 naming the file, line and key path, nothing started', () => {
  const scenario = (grpc: string) => `target:
  process: { command: [node, ${SERVER}] }
  ready: { log: listening on }
workload:
  grpc:
${grpc}
`;

  it.each([
    [
      'a method the proto lacks',
      `    - proto: ${PROTO}\n      method: zoo.Zoo/Wrok`,
      `:7:15: workload.grpc[0].method: ${PROTO} has no method zoo.Zoo/Wrok; it has: zoo.Zoo/Work, zoo.Zoo/Ticks`,
    ],
    ['a proto that cannot be read', '    - { proto: missing.proto, method: zoo.Zoo/Work }', ":6:16: workload.grpc[0].proto: cannot load missing.proto: ENOENT: no such file or directory, open '"],
  ])('%s: validate and run', async (_, grpc, expected) => {
    const dir = tempFiles({ 'scenario.yml': scenario(grpc) });
    const file = join(dir, 'scenario.yml');
    for (const args of [['validate', file], ['run', file, '--backend', 'process', '--report-dir', dir]]) {
      const result = await sigstorm(args);
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr).toContain(`${file}${expected}`);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(result.stdout).not.toMatch(/ready/);
    }
  });

  it('a proto that stopped parsing after validation fails the run as an infrastructure error (exit 3)', async () => {
    const dir = tempFiles({ 'zoo.proto': readFileSync(PROTO, 'utf8'), 'scenario.yml': scenario('    - { proto: zoo.proto, method: zoo.Zoo/Work }\nschedule:\n  - { at: 300, signal: SIGTERM }') });
    const file = join(dir, 'scenario.yml');
    expect((await sigstorm(['validate', file])).exitCode).toBe(0);
    // Broken between loading and the workload: the prepare step runs in between.
    writeFileSync(file, readFileSync(file, 'utf8').replace('ready:', `prepare: [sh, -c, "echo 'syntax = broken' > zoo.proto"]\n  ready:`));
    const result = await sigstorm(['run', file, '--backend', 'process', '--report-dir', dir]);
    expect(result.exitCode, result.all).toBe(3);
    expect(result.stderr).toMatch(/gRPC workload: cannot load zoo\.proto: /);
  });
});
