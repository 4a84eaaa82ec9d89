import { describe, expect, it } from 'vitest';
import { connectionsOn, isClosedByTarget, isQueued, portHex, type SocketConn } from '../../src/host/tcp-table.js';
import { judge } from '../../src/oracles/judge.js';
import { UNANSWERED_CLOSE_MS } from '../../src/oracles/lost-requests.js';
import type { PlayedEvent } from '../../src/schedule/played.js';
import type { SocketSnapshot, TrialRecord } from '../../src/trial/record.js';
import { recordProblems } from '../../src/trial/record-schema.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';

// Refusal versus loss, decided from the target's own socket table where the record has it, and by the 50 ms rule
// (named as such) where it has none. Records written by hand: the oracle sees nothing else.

describe('the TCP table as /proc shows it', () => {
  // Lines read from a real /proc/<pid>/net/tcp (a listener on 18931, one connection accepted and read from, one still
  // in the listen queue with 18 bytes waiting, one the application closed, another port's line).
  const lines = [
    '1: 0100007F:49F3 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 4198622 2 00000000de6cf50e 100 0 0 10 0',
    '3: 0100007F:49F3 0100007F:9E2A 01 00000000:00000000 00:00000000 00000000     0        0 4198625 1 000000009211457c 20 4 30 10 -1',
    '49: 0100007F:49F3 0100007F:9E3A 01 00000000:00000012 00:00000000 00000000     0        0 0 1 00000000d715ca8a 20 4 30 10 -1',
    '68: 0100007F:49F3 0100007F:E94C 05 00000000:00000000 03:000013F4 00000000     0        0 0 3 0000000014ac8e45',
    '70: 0100007F:9E2A 0100007F:49F3 01 00000000:00000000 00:00000000 00000000     0        0 4198624 1 000000009211457c 20 4 30 10 -1',
  ];

  it('keeps the connections to the port, the listener and the other ports left out', () => {
    expect(portHex(18931)).toBe('49F3');
    expect(connectionsOn(lines, 18931)).toEqual([
      { port: 0x9e2a, state: 'ESTABLISHED', rx: 0, accepted: true },
      { port: 0x9e3a, state: 'ESTABLISHED', rx: 18, accepted: false },
      { port: 0xe94c, state: 'FIN_WAIT2', rx: 0, accepted: false },
    ]);
  });

  it('tells a queued connection from one the application closed', () => {
    const [accepted, queued, closed] = connectionsOn(lines, 18931) as [SocketConn, SocketConn, SocketConn];
    expect([isQueued(accepted), isQueued(queued), isQueued(closed)]).toEqual([false, true, false]);
    expect([isClosedByTarget(accepted), isClosedByTarget(queued), isClosedByTarget(closed)]).toEqual([false, false, true]);
  });
});

const SIGTERM_AT = 500;
const PORT = 40000;

const signal: PlayedEvent = {
  at: SIGTERM_AT, kind: 'signal', signal: 'SIGTERM', to: 'main', origin: 'schedule', scheduledMs: SIGTERM_AT, deliveredMs: SIGTERM_AT,
  deliveries: [{ signal: 'SIGTERM', atMs: SIGTERM_AT }], via: 'host-pid', pids: [100],
};

/** A request on port PORT sent `before` ms before the signal, reset with no byte `after` ms after it. */
const reset = (before: number, after: number, more: Partial<LedgerEntry> = {}): LedgerEntry => ({
  id: 1, kind: 'request', method: 'GET', path: '/slow', connection: 'fresh', reused: false, sentMs: SIGTERM_AT - before, endMs: SIGTERM_AT + after,
  outcome: 'reset', bytes: 0, error: 'ECONNRESET', localPort: PORT, connectedMs: SIGTERM_AT - before + 0.3, writtenMs: SIGTERM_AT - before + 0.5, ...more,
});

const conn = (more: Partial<SocketConn>): SocketConn => ({ port: PORT, state: 'ESTABLISHED', rx: 0, accepted: true, ...more });
const read = (atMs: number, conns: SocketConn[], at: SocketSnapshot['at'] = 'before'): SocketSnapshot => ({ atMs, at, conns });

function record(ledger: LedgerEntry[], snapshots?: SocketSnapshot[]): TrialRecord {
  return {
    scenario: { name: 'demo', path: '/s/demo.yml' }, backend: 'process', runId: 'r',
    expect: { SIGTERM: { kind: 'exit', exit: [0], within: 3000 } },
    oracles: { lost_requests: { no_refusals_for: 0 }, handles: { fd_slack: 4, allow_zombies: false, removed_on_exit: [] } },
    stopSignal: 'SIGTERM', stopGracePeriodMs: 3000, target: { id: '100', pid: 100 }, readyAt: '2026-12-06T00:00:00.000Z', readyMonotonicMs: 1000,
    spawnToReadyMs: 50, schedule: [], events: [signal], checks: [],
    exit: { exitCode: 0, signal: null, status: 0, atMs: SIGTERM_AT + 20, forcedKill: false, lingering: [] },
    samples: [], ledger, files: [], logs: [],
    ...(snapshots ? { sockets: { port: 8080, snapshots } } : {}),
  };
}

const lost = (r: TrialRecord) => judge(r).results.find((x) => x.oracle === 'lost-requests')!;

describe('refusal versus loss, from the socket table', () => {
  it('judges a request the target had read lost, however soon before the signal it was sent (46 ms: the old rule called it refused)', () => {
    const r = record([reset(46, 2)], [read(SIGTERM_AT - 8, [conn({})]), read(SIGTERM_AT + 1, [conn({ state: 'FIN_WAIT1', accepted: false })], 'after')]);
    const result = lost(r);
    expect(result.verdict).toBe('fail');
    expect(result.kind).toBe('in-flight-lost');
    expect(result.message).toContain("taken up: read (the target's socket table at -8 ms)");
    expect(result.evidence?.refusalRule).toEqual({ bySocketTable: 0, byFallback: 0 });
    // The same record without the table: the 50 ms fallback decides, and says so.
    const fallback = lost(record([reset(46, 2)]));
    expect(fallback.verdict).toBe('pass');
    expect(fallback.message).toContain(`1 decided by the ${UNANSWERED_CLOSE_MS} ms fallback: no socket evidence, the target's sockets were not watched`);
  });

  it('takes an accepted connection, or one the target closed itself, as taken up', () => {
    expect(lost(record([reset(5, 1)], [read(SIGTERM_AT - 8, []), read(SIGTERM_AT + 0.2, [conn({ rx: 18 })], 'after')])).verdict).toBe('fail');
    expect(lost(record([reset(5, 1)], [read(SIGTERM_AT + 0.2, [conn({ state: 'FIN_WAIT2', accepted: false })], 'after')])).verdict).toBe('fail');
  });

  it('takes an orphan the target left, read just after the client saw the close, as taken up; not once another connection had the port', () => {
    const orphan = [read(SIGTERM_AT - 48, []), read(SIGTERM_AT + 7, [conn({ state: 'TIME_WAIT', accepted: false })], 'after')];
    expect(lost(record([reset(28, 2)], orphan)).verdict).toBe('fail');
    const next = { ...reset(-3, 5), id: 2, connectedMs: SIGTERM_AT + 4, outcome: 'refused' as const };
    expect(lost(record([reset(28, 2), next], orphan)).verdict).toBe('pass');
  });

  it('judges a connection that never left the listen queue refused, whatever its age (the old rule called this one lost)', () => {
    const queued = conn({ accepted: false, rx: 18 });
    const r = record([reset(120, 30)], [read(SIGTERM_AT - 8, [queued]), read(SIGTERM_AT + 1, [queued], 'after'), read(SIGTERM_AT + 21, [queued], 'tick')]);
    const result = lost(r);
    expect(result.verdict).toBe('pass');
    expect(result.message).toContain('1 never taken up by the target, by its socket table');
    expect(lost(record([reset(120, 30)])).verdict).toBe('fail'); // without the table: lost by the fallback, named
    expect(lost(record([reset(120, 30)])).message).toContain('decided by the 50 ms fallback (lost): no socket evidence');
  });

  it('on a kept-alive connection, counts only the request bytes read after they were written', () => {
    const reused = { reused: true, connection: 'keep-alive' as const, connectedMs: 10 };
    // Accepted long ago, the new request's 18 bytes still unread when it closed: closed as idle, a refusal (RFC 9112 §9.3.1).
    const unread = record([reset(3, 2, reused)], [read(SIGTERM_AT - 8, [conn({})]), read(SIGTERM_AT + 0.5, [conn({ rx: 18 })], 'after')]);
    expect(lost(unread).verdict).toBe('pass');
    // Read after it was written: lost.
    const readIt = record([reset(20, 2, reused)], [read(SIGTERM_AT - 8, [conn({})])]);
    expect(lost(readIt).verdict).toBe('fail');
    // An empty queue before the request was written says nothing of it: the fallback decides.
    const before = record([reset(3, 2, reused)], [read(SIGTERM_AT - 8, [conn({})])]);
    expect(lost(before).message).toContain('decided by the 50 ms fallback');
  });

  it('trusts a queued state only when it was seen shortly before the close', () => {
    const queued = conn({ accepted: false });
    const stale = record([reset(150, 100)], [read(SIGTERM_AT - 8, [queued])]);
    expect(lost(stale).verdict).toBe('fail');
    expect(lost(stale).message).toContain('last seen 108 ms before it can have closed');
  });

  it('takes a reset with the request unread as a refusal where no read decides (gunicorn: the queue reset as its last worker left, 233 ms after the last read)', () => {
    // Seen in the listen queue 233 ms before it can have closed: too stale to decide; the reset says it was never read.
    const queuedLongAgo = [read(SIGTERM_AT - 30, [conn({ accepted: false, rx: 69 })]), read(SIGTERM_AT + 1, [conn({ accepted: false, rx: 69 })], 'after')];
    const stale = record([reset(70, 233, { rst: true })], queuedLongAgo);
    expect(lost(stale).verdict).toBe('pass');
    expect(lost(stale).message).toContain('1 reset by the target with the request unread');
    expect(lost(stale).evidence?.refusalRule).toEqual({ bySocketTable: 0, byReset: 1, byFallback: 0 });
    expect(recordProblems(stale)).toEqual([]);
    // An orderly close ("socket hang up") says nothing of the kind: the fallback calls it lost.
    expect(lost(record([reset(70, 233)], queuedLongAgo)).kind).toBe('in-flight-lost');
    // Nor does a reset outweigh a read that saw the target accept it (an abortive close after taking it up).
    const accepted = record([reset(70, 233, { rst: true })], [read(SIGTERM_AT - 30, [conn({ accepted: true, rx: 69 })])]);
    expect(lost(accepted).kind).toBe('in-flight-lost');
    // No table at all (a proxy between them): the reset decides alone.
    expect(lost(record([reset(70, 233, { rst: true })])).verdict).toBe('pass');
  });

  it('names why there is no evidence: no port of the workload in the table (a proxy between them)', () => {
    const other = record([reset(10, 2)], [read(SIGTERM_AT - 8, [conn({ port: 51000 })])]);
    expect(lost(other).message).toContain("none of the workload's connections is in the target's socket table");
    const unreadable = record([reset(10, 2)], [{ atMs: SIGTERM_AT - 8, at: 'before', error: 'ENOENT' }]);
    expect(lost(unreadable).message).toContain("the target's socket table could not be read (ENOENT)");
  });

  it('keeps the evidence in a record `analyze` accepts, and refuses a malformed one by its key path', () => {
    const r = record([reset(46, 2)], [read(SIGTERM_AT - 8, [conn({})]), { atMs: SIGTERM_AT + 1, at: 'after' }]);
    expect(recordProblems(JSON.parse(JSON.stringify(r)))).toEqual([]);
    const bad = { ...r, sockets: { port: 8080, snapshots: [{ atMs: 1, at: 'later' }] } };
    expect(recordProblems(bad).join('\n')).toContain('sockets.snapshots[0].at');
  });
});
