import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorProblem } from '../helpers/anchor-problem.js';
import { arrival } from '../../src/faults/anchor.js';
import { Player, type FaultTarget } from '../../src/faults/player.js';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { SCOUT_AFTER, timeSpaceOf, type TimeSpace } from '../../src/fuzz/time-space.js';
import { loadScenario } from '../../src/scenario/load.js';
import { anchorOf, describeEvent, type FaultEvent, type RequestAnchor, type Schedule } from '../../src/schedule/event.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import { checkedSchedule } from '../../src/session/open.js';
import { now, sleep } from '../../src/time.js';
import { send } from '../../src/workload/http-client.js';
import { RequestPhases } from '../../src/workload/phases.js';

// Events timed from a request of the workload (`after: {request, path, phase}`): the format, the client's
// announcements of a request's phases (a real server on loopback), how the player waits for one, and how the fuzzer
// draws and shrinks them.

const requestAnchor = (e: FaultEvent): RequestAnchor | undefined => {
  const anchor = anchorOf(e);
  return anchor && 'request' in anchor ? anchor : undefined;
};

describe('the format', () => {
  it('holds a request anchor: `at` ms after the nth request (to `path`) was sent or answered, waited for `within` ms', () => {
    const [e] = parseSchedule([{ at: 3, signal: 'SIGTERM', after: { request: 2, path: '/order' } }], 'test');
    expect(e).toEqual({ at: 3, kind: 'signal', signal: 'SIGTERM', to: 'main', after: { request: 2, path: '/order', phase: 'sent', within: 10_000 } });
    expect(describeEvent(e!)).toBe('+3 ms after request 2 to /order sent SIGTERM→main');
    const [answered] = parseSchedule([{ at: 0, kind: 'race', signals: ['SIGTERM', 'SIGINT'], after: { request: 1, phase: 'response', within: '2s' } }], 'test');
    expect(describeEvent(answered!)).toBe('+0 ms after request 1 answered race SIGTERM+SIGINT→main');
    // what a report holds parses again to the same event (replay)
    expect(parseSchedule([e, answered], 'report')).toEqual([answered, e]);
  });

  it('refuses a wrong anchor naming the key path and what was expected', () => {
    const problem = anchorProblem;
    expect(problem({ request: 0 })).toBe('[0].after.request: expected which request: 1 for the first the workload sent after readiness');
    expect(problem({ request: 2, phase: 'done' })).toMatch(/^\[0\]\.after\.phase: .*"sent"\|"response"/);
    expect(problem({ request: 2, nth: 2 })).toBe('[0].after.nth: `nth` does not belong to an event timed from a request (`request`)');
    expect(problem({ log: 'x', phase: 'sent' })).toBe('[0].after.phase: `phase` does not belong to an event timed from a line (`log`)');
    expect(problem({ log: 'x', request: 1 })).toBe('[0].after: expected one of `log`, `request` or `file`, not `log` and `request`: an event is timed from one thing');
    expect(problem({})).toBe('[0].after: missing: expected `log` (a line of the target output), `request` (the nth request of the workload) or `file` (a file the target writes)');
    expect(problem({ request: 1, path: 'order' })).toBe('[0].after.path: expected an HTTP path of the workload, such as /order');
  });

  it('in a scenario file, the error names the file, the line and the key path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-request-anchor-'));
    const file = join(dir, 'bad.yml');
    writeFileSync(
      file,
      ['target:', '  image: local/app:1', '  ports: [8080]', 'expect:', '  SIGTERM: { exit: [0] }', 'schedule:', '  - { at: 3, signal: SIGTERM, after: { request: 2, phase: sent-ish } }', ''].join('\n'),
    );
    await expect(loadScenario(file)).rejects.toThrow(new RegExp(`${file.replace(/[.]/g, '[.]')}:7:\\d+: schedule\\[0\\]\\.after\\.phase: .*sent`));
  });

  it('refuses a request anchor the workload can never play: no HTTP traffic, or a path it does not send to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-request-anchor-'));
    const write = (name: string, lines: string[]) => {
      const file = join(dir, name);
      writeFileSync(file, ['target:', '  image: local/app:1', '  ports: [8080]', 'expect:', '  SIGTERM: { exit: [0] }', ...lines, ''].join('\n'));
      return file;
    };
    const quiet = write('quiet.yml', ['schedule:', '  - { at: 3, signal: SIGTERM, after: { request: 1 } }']);
    await expect(loadScenario(quiet)).rejects.toThrow(/quiet\.yml:7:\d+: schedule\[0\]\.after\.request: an event timed from a request needs HTTP traffic in the workload/);
    const traffic = ['workload:', '  requests: [{ path: /order, method: POST, rate: 1 }, { path: /healthz }]'];
    const elsewhere = write('elsewhere.yml', [...traffic, 'schedule:', '  - { at: 0, signal: SIGTERM }', '  - { at: 3, signal: SIGTERM, after: { request: 1, path: /orders } }']);
    await expect(loadScenario(elsewhere)).rejects.toThrow(/elsewhere\.yml:10:\d+: schedule\[1\]\.after\.path: expected a path the workload sends HTTP requests to: \/order, \/healthz/);
    // and in a schedule given apart from the scenario (run --events, a replay)
    const scenario = await loadScenario(write('ok.yml', traffic));
    expect(() => checkedSchedule(parseSchedule([{ at: 3, signal: 'SIGTERM', after: { request: 1, path: '/nope' } }], '--events'), scenario)).toThrow(
      /ok\.yml: events\[0\]\.after\.path: expected a path the workload sends HTTP requests to: \/order, \/healthz/,
    );
    expect(checkedSchedule(parseSchedule([{ at: 3, signal: 'SIGTERM', after: { request: 1, path: '/order' } }], '--events'), scenario)).toHaveLength(1);
  });
});

describe('the client announces each request phase as it happens', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => setTimeout(() => res.end('ok\n'), req.url === '/slow' ? 30 : 0));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sent once written to its connection, then its first response byte; which connection and which request on it', async () => {
    const phases = new RequestPhases();
    const origin = now();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const spec = (id: number, path: string, pooled: Agent | false) => ({ id, kind: 'request' as const, method: 'GET', path, agent: pooled, timeoutMs: 2000, originMs: origin, phases });
    const entries = [await send({ host: '127.0.0.1', port }, spec(0, '/slow', agent)), await send({ host: '127.0.0.1', port }, spec(1, '/slow?x=1', agent))];
    entries.push(await send({ host: '127.0.0.1', port }, spec(2, '/', false)));
    agent.destroy();
    expect(phases.phases.map((p) => [p.id, p.phase, p.connection, p.onConnection])).toEqual([
      [0, 'sent', 0, 1],
      [0, 'response', 0, 1],
      [1, 'sent', 0, 2], // the keep-alive connection's second request
      [1, 'response', 0, 2],
      [2, 'sent', 1, 1],
      [2, 'response', 1, 1],
    ]);
    for (const [i, e] of entries.entries()) {
      const [sent, answered] = phases.phases.filter((p) => p.id === i);
      // within the ledger's span of the request, and the answer not before it was sent (the record's own times)
      expect(sent!.atMs - origin).toBeGreaterThanOrEqual(e.sentMs);
      expect(answered!.atMs).toBeGreaterThanOrEqual(sent!.atMs);
      expect(answered!.atMs - origin).toBe(e.firstByteMs);
    }
    expect(entries.map((e) => [e.connectionId, e.onConnection, e.reused])).toEqual([[0, 1, false], [0, 2, true], [1, 1, false]]);
  });
});

describe('the player', () => {
  const target = (): FaultTarget => ({
    signal: async (signals) => signals.map(() => ({ atMs: now(), via: 'host-pid' as const, pids: [] })),
    pause: async () => ({ atMs: now(), via: 'host-pid' as const, heal: async () => now() }),
    partition: async () => ({ atMs: now(), via: 'host-pid' as const, heal: async () => now() }),
  });
  const phase = (requests: RequestPhases, id: number, path: string, p: 'sent' | 'response') => requests.announce({ id, path, phase: p, connection: 0, onConnection: id + 1 });

  it('plays an event `at` ms after the nth request to its path was sent, counting only that path, in order with the others', async () => {
    const requests = new RequestPhases();
    const origin = now();
    const player = new Player(target(), origin, {}, { requests });
    const schedule = parseSchedule([{ at: 5, signal: 'SIGTERM', after: { request: 2, path: '/order' } }, { at: 0, signal: 'SIGHUP' }], 'test');
    await player.play(schedule);
    phase(requests, 0, '/order', 'sent');
    phase(requests, 1, '/healthz', 'sent');
    await sleep(10);
    phase(requests, 0, '/order', 'response');
    phase(requests, 2, '/order?id=7', 'sent'); // the query string aside: the 2nd to /order
    await player.settled();
    const anchored = player.played.find((p) => anchorOf(p))!;
    const sent = requests.phases.at(-1)!;
    expect(anchored.anchorRequest).toBe(2);
    expect(anchored.anchorMs).toBe(sent.atMs - origin);
    expect(anchored.scheduledMs).toBe(sent.atMs - origin + 5);
    expect(anchored.deliveredMs!).toBeGreaterThanOrEqual(anchored.scheduledMs);
    expect(player.played.map((p) => p.signal)).toEqual(['SIGHUP', 'SIGTERM']);
  });

  it('times from the response phase of the nth request of any path; counts phases announced before the wait began', async () => {
    const requests = new RequestPhases();
    const origin = now();
    phase(requests, 0, '/a', 'sent');
    phase(requests, 1, '/b', 'sent');
    phase(requests, 1, '/b', 'response');
    const came = await arrival({ requests }, { request: 2, phase: 'response', within: 100 }, origin, origin + 100, new AbortController().signal);
    expect(came?.request?.id).toBe(1);
    expect(came?.atMs).toBe(requests.phases[2]!.atMs);
    // before the origin: not counted
    const later = now() + 1;
    await sleep(2);
    expect(await arrival({ requests }, { request: 1, phase: 'sent', within: 5 }, later, later + 5, new AbortController().signal)).toBeUndefined();
  });

  it('does not play it when no such request comes within its time, nor without traffic', async () => {
    const requests = new RequestPhases();
    const player = new Player(target(), now(), {}, { requests });
    await player.play(parseSchedule([{ at: 0, signal: 'SIGTERM', after: { request: 3, path: '/order', within: 30 } }], 'test'));
    phase(requests, 0, '/order', 'sent');
    await player.settled();
    expect(player.played[0]!.error).toBe('not played: no request 3 to /order sent within 30 ms');
    expect(player.played[0]!.deliveredMs).toBeUndefined();
    const none = new Player(target(), now(), {});
    await none.play(parseSchedule([{ at: 0, signal: 'SIGTERM', after: { request: 1, phase: 'response', within: 10 } }], 'test'));
    await none.settled();
    expect(none.played[0]!.error).toBe('not played: no request 1 answered within 10 ms');
  });
});

describe('the draws', () => {
  const scenarioWith = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-request-draws-'));
    const file = join(dir, 'traffic.yml');
    const workload = ['workload:', '  requests:', '    - { path: /order, method: POST, rate: 2, concurrency: 1 }', '    - { path: /healthz, rate: 20 }'];
    writeFileSync(file, ['target:', '  image: local/app:1', '  ports: [8080]', '  ready: { http: /healthz }', 'expect:', '  SIGTERM: { exit: [0] }', '  SIGHUP: { alive: true }', ...workload, ''].join('\n'));
    return loadScenario(file);
  };
  const times: TimeSpace = { horizon: 1500, scout: 1500, near: [], fine: 25, requestAnchors: true };

  it('time some signals from a request of the streams, once scouting: n within what the stream sends in the horizon, 0 to 100 ms after', async () => {
    const scenario = await scenarioWith();
    expect(timeSpaceOf(scenario.faults, { judged: SCOUT_AFTER - 1 }).requestAnchors).toBeUndefined();
    expect(timeSpaceOf(scenario.faults, { judged: SCOUT_AFTER }).requestAnchors).toBe(true);
    const before = fc.sample(scheduleArbitrary(scenario, undefined, () => ({ ...times, requestAnchors: undefined }) as TimeSpace), { seed: 4, numRuns: 300 });
    expect(before.flat().filter(requestAnchor)).toEqual([]);
    const drawn = fc.sample(scheduleArbitrary(scenario, undefined, () => times), { seed: 4, numRuns: 300 }).flat().filter(requestAnchor);
    expect(drawn.length).toBeGreaterThan(20);
    for (const e of drawn) {
      const a = requestAnchor(e)!;
      const rate = a.path === '/order' ? 2 : 20;
      expect(['/order', '/healthz']).toContain(a.path);
      expect(a.request).toBeGreaterThanOrEqual(1);
      expect(a.request).toBeLessThanOrEqual(1.5 * rate);
      expect(a.within).toBe(1500); // the furthest time drawn (scouting reach)
      expect(e.at).toBeLessThanOrEqual(150 + 100); // a follow-up of its request: up to 6 steps
    }
    expect(new Set(drawn.map((e) => requestAnchor(e)!.phase))).toEqual(new Set(['sent', 'response']));
    expect(drawn.some((e) => e.at % 25 !== 0)).toBe(true); // the 1 ms grid within a step
    expect(parseSchedule(drawn, 'drawn')).toHaveLength(drawn.length);
  });

  it('shrink towards an earlier request, sent, at its instant; and into a plain time when the failure does not need it', async () => {
    const scenario = await scenarioWith();
    const arbitrary = scheduleArbitrary(scenario, undefined, () => times);
    const needsIt = (s: Schedule) => s.some((e) => e.kind === 'signal' && e.signal === 'SIGTERM' && requestAnchor(e)?.path === '/order' && requestAnchor(e)!.request >= 2);
    const result = fc.check(fc.property(arbitrary, (s: Schedule) => !needsIt(s)), { seed: 4, numRuns: 1000 });
    expect(result.failed).toBe(true);
    const minimal = result.counterexample![0].filter(requestAnchor);
    expect(minimal).toHaveLength(1);
    expect(minimal[0]).toMatchObject({ at: 0, after: { request: 2, path: '/order', phase: 'sent', within: 1500 }, kind: 'signal', signal: 'SIGTERM' });
    // a failure any SIGTERM causes, first met with a request-anchored one only: it shrinks into a plain SIGTERM at 0
    const sigterms = (s: Schedule) => s.filter((e) => e.kind === 'signal' && e.signal === 'SIGTERM');
    const firstMet = (seed: number) => {
      let first: Schedule | undefined;
      const checked = fc.check(fc.property(arbitrary, (s: Schedule) => {
        const holds = sigterms(s).length === 0;
        if (!holds) first ??= s;
        return holds;
      }), { seed, numRuns: 500 });
      return { first: first!, checked };
    };
    const seed = [...Array(80).keys()].find((n) => sigterms(firstMet(n).first).every(requestAnchor))!;
    expect(seed).toBeDefined();
    const plain = firstMet(seed).checked.counterexample![0];
    expect(plain.every((e) => !anchorOf(e))).toBe(true);
    expect(sigterms(plain).map((e) => e.at)).toEqual([0]);
  });
});
