import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { storedIds } from '../../src/trial/files.js';
import { readEach, readOutcome, readPath } from '../../src/trial/readback-http.js';
import { tempFiles } from '../helpers/files.js';

describe('read-back', () => {
  it('takes bare ids by default, and what the id group of a pattern finds otherwise', () => {
    expect(storedIds('1\n 2 \nx\n\n30\n')).toEqual([1, 2, 30]);
    expect(storedIds('stored: 4\nstored: five\nother 6\nstored: 7', '^stored: (?<id>\\S+)$')).toEqual([4, 7]);
  });

  it('refuses a pattern without an id group, or that is no regular expression, naming the key', async () => {
    for (const pattern of ['^(\\d+)$', '(?<id>\\d+']) {
      const dir = tempFiles({
        'scenario.yml': `target: { process: { command: [x] }, ready: { log: x } }\nworkload:\n  writes: { path: /w, readback: { file: a.log, pattern: '${pattern}' } }\n`,
      });
      const error = await loadScenario(join(dir, 'scenario.yml')).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ScenarioError);
      expect((error as ScenarioError).problems[0]).toMatchObject({ keyPath: 'workload.writes.readback.pattern', line: 3 });
    }
  });
});

describe('read-back over HTTP', () => {
  const load = async (readback: string, dependencies = '') => {
    const dir = tempFiles({
      'scenario.yml':
        'target: { process: { command: [x] }, ready: { log: x } }\n' +
        dependencies +
        `workload:\n  writes:\n    path: /w\n    readback: ${readback}\n`,
    });
    return loadScenario(join(dir, 'scenario.yml')).then(() => undefined, (e: unknown) => e as ScenarioError);
  };

  it('fills {id} into the path, everywhere it appears', () => {
    expect(readPath('/read?id={id}', 42)).toBe('/read?id=42');
    expect(readPath('/writes/{id}/exists?again={id}', 7)).toBe('/writes/7/exists?again=7');
  });

  it('takes a 2xx for stored and a 404 for missing; any other answer says nothing', () => {
    expect([200, 204, 299].map(readOutcome)).toEqual(['stored', 'stored', 'stored']);
    expect(readOutcome(404)).toBe('missing');
    expect([301, 400, 405, 410, 500, 503].map(readOutcome)).toEqual(Array(6).fill('unread'));
  });

  it('asks a real server about each id: stored, missing, and errors left unread with the first named', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url!);
      const id = Number(new URL(req.url!, 'http://x').searchParams.get('id'));
      if (id === 13) return void res.destroy(); // the connection dies before any answer
      res.statusCode = id % 10 === 0 ? 503 : id % 2 === 0 ? 200 : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const ids = Array.from({ length: 25 }, (_, i) => i + 1);
      const read = await readEach({ host: '127.0.0.1', port }, '/read?id={id}', ids);
      expect(seen.sort()).toEqual(ids.map((id) => `/read?id=${id}`).sort());
      expect(read.stored).toEqual([2, 4, 6, 8, 12, 14, 16, 18, 22, 24]);
      expect(read.unread).toEqual([10, 13, 20]);
      expect(read.error).toBe('3 of 25 reads failed; the first, of id 10: HTTP 503');
    } finally {
      server.close();
    }
  });

  it('leaves every id unread when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const read = await readEach({ host: '127.0.0.1', port }, '/read?id={id}', [1, 2]);
    expect(read).toEqual({ stored: [], unread: [1, 2], error: '2 of 2 reads failed; the first, of id 1: ECONNREFUSED' });
  });

  it('ends every read at once on an abort, leaving the unanswered ids unread (one abort listener for them all)', async () => {
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const { port } = server.address() as AddressInfo;
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 200);
      const started = Date.now();
      const ids = Array.from({ length: 20 }, (_, i) => i);
      // Two read-backs on one signal, as parallel trials of a campaign share the interrupt's.
      const reads = await Promise.all([readEach({ host: '127.0.0.1', port }, '/read?id={id}', ids, abort.signal), readEach({ host: '127.0.0.1', port }, '/r/{id}', ids, abort.signal)]);
      // Ended by the abort at 200 ms: without it the first read alone would wait its 5 s timeout. The bound tells the
      // two apart (a busy machine adds ms to an abort, not seconds); it does not time the abort.
      expect(Date.now() - started).toBeLessThan(5_000);
      for (const read of reads) expect(read).toMatchObject({ stored: [], unread: ids, error: expect.stringMatching(/^20 of 20 reads failed; the first, of id 0: /) });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      server.closeAllConnections();
      server.close();
    }
  });

  it('refuses an HTTP read-back that names neither a restart nor a service, naming the key (the target is gone by then)', async () => {
    const error = await load('{ http: "/read?id={id}" }');
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error!.problems[0]).toMatchObject({ keyPath: 'workload.writes.readback', line: 5 });
    expect(error!.problems[0]!.message).toMatch(/add `restart: true`.*`service`/);
  });

  it('refuses a service that is not a dependency, and a restart and a service at once', async () => {
    const unknown = await load('{ http: "/read?id={id}", service: store }', 'dependencies:\n  db: { process: { command: [y] }, ready: { log: y } }\n');
    expect(unknown!.problems[0]).toMatchObject({ keyPath: 'workload.writes.readback.service', line: 7 });
    expect(unknown!.problems[0]!.message).toMatch(/"store" is not a dependency; the stack has: target, db/);
    const both = await load('{ http: "/read?id={id}", service: db, restart: true }', 'dependencies:\n  db: { process: { command: [y] }, ready: { log: y } }\n');
    expect(both!.problems[0]).toMatchObject({ keyPath: 'workload.writes.readback.restart' });
    expect(await load('{ http: "/read?id={id}", restart: true }')).toBeUndefined();
    expect(await load('{ http: "/read?id={id}", service: db }', 'dependencies:\n  db: { process: { command: [y] }, ready: { log: y } }\n')).toBeUndefined();
  });

  it('refuses a container restarted without a data directory to share (it would start from its image and lose everything)', async () => {
    const dir = tempFiles({
      'scenario.yml':
        'target: { image: api, ports: ["8080"], ready: { http: /healthz } }\n' +
        'workload:\n  writes: { path: /w, readback: { http: "/read?id={id}", restart: true } }\n',
    });
    const error = await loadScenario(join(dir, 'scenario.yml')).then(() => undefined, (e: unknown) => e as ScenarioError);
    expect(error!.problems[0]).toMatchObject({ keyPath: 'workload.writes.readback.restart', line: 3 });
    expect(error!.problems[0]!.message).toMatch(/target\.data_dir/);
  });

  it('refuses a path without {id}', async () => {
    const error = await load('{ http: "/read", restart: true }');
    expect(error!.problems[0]!.keyPath).toMatch(/^workload\.writes\.readback/);
    expect(error!.problems[0]!.message).toMatch(/\{id\}/);
  });
});
