import { describe, expect, it } from 'vitest';
import type { PlayedEvent } from '../../src/schedule/played.js';
import { judge } from '../../src/oracles/judge.js';
import type { ExitRecord, TrialRecord } from '../../src/trial/record.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';

// Recorded trials, written by hand the way the runner records them: the oracles see nothing else.
const signal = (signal: PlayedEvent['signal'], deliveredMs: number, origin: PlayedEvent['origin'] = 'schedule'): PlayedEvent => ({
  at: deliveredMs,
  kind: 'signal',
  signal,
  to: 'main',
  origin,
  scheduledMs: deliveredMs,
  deliveredMs,
  deliveries: [{ signal, atMs: deliveredMs }],
  via: 'host-pid',
  pids: [4242],
});

function record(events: PlayedEvent[], exit: Partial<ExitRecord>, extra: Partial<TrialRecord> = {}): TrialRecord {
  return {
    scenario: { name: 'demo', path: '/scenarios/demo.yml' },
    backend: 'process',
    runId: 'r1',
    expect: {
      SIGTERM: { kind: 'exit', exit: [0, 143], within: 1000 },
      SIGINT: { kind: 'exit', exit: [0], within: 1000 },
      SIGHUP: { kind: 'alive', settle: 500 },
    },
    oracles: { lost_requests: { no_refusals_for: 0 }, handles: { fd_slack: 8, allow_zombies: false, removed_on_exit: [] } },
    stopSignal: 'SIGTERM',
    stopGracePeriodMs: 3000,
    target: { id: '4242', pid: 4242 },
    readyAt: '2026-11-26T00:00:00.000Z',
    readyMonotonicMs: 1000,
    spawnToReadyMs: 20,
    schedule: events.map(({ at, kind, signal: s, to }) => ({ at, kind, signal: s, to })),
    events,
    checks: [],
    exit: { exitCode: 0, signal: null, status: 0, atMs: 0, forcedKill: false, lingering: [], ...exit },
    samples: [],
    ledger: [],
    files: [],
    logs: [],
    ...extra,
  };
}

const failing = (r: TrialRecord) => judge(r).results.filter((x) => x.verdict === 'fail').map((x) => `${x.oracle}/${x.kind}`);

describe('oracles over recorded trials', () => {
  it('passes a clean SIGTERM → exit 0 well within the deadline', () => {
    const r = record([signal('SIGTERM', 100)], { status: 0, exitCode: 0, atMs: 180 });
    expect(judge(r).verdict).toBe('pass');
  });

  it('fails a status outside the allowed set, with the expected set as evidence', () => {
    const r = record([signal('SIGINT', 100)], { status: 130, exitCode: null, signal: 'SIGINT', atMs: 101 });
    const { verdict, results } = judge(r);
    expect(verdict).toBe('fail');
    expect(results.find((x) => x.oracle === 'exit-status')).toMatchObject({ kind: 'wrong-status', evidence: { status: 130, expected: [0], signal: 'SIGINT' } });
  });

  it('fails a SIGKILL fallback on both exit status and deadline', () => {
    const r = record([signal('SIGTERM', 0, 'teardown')], { status: 137, exitCode: 137, atMs: 3010, forcedKill: true, killedAtMs: 3001 });
    expect(failing(r)).toEqual(['exit-status/killed', 'deadline/sigkill-needed']);
  });

  it('fails leftovers even when the main process itself exited as expected', () => {
    const server = { pid: 5000, ppid: 1, pgid: 4242, sid: 4242, state: 'S', comm: 'server', fds: 7, startTime: 1 };
    const r = record([signal('SIGTERM', 100)], { status: 143, signal: 'SIGTERM', exitCode: null, atMs: 102, forcedKill: true, killedAtMs: 3100, lingering: [server] });
    const { results } = judge(r);
    expect(failing(r)).toEqual(['deadline/sigkill-needed', 'handles/orphans']);
    expect(results.find((x) => x.oracle === 'deadline')!.message).toMatch(/main process exited \(143\) but .* server \(pid 5000/);
    expect(results.find((x) => x.oracle === 'handles')!.message).toMatch(/exited at \+102 ms but left server \(pid 5000\) running/);
  });

  it('judges the deadline to the millisecond: 1000 ms passes, 1001 ms fails', () => {
    expect(judge(record([signal('SIGTERM', 100)], { atMs: 1100 })).verdict).toBe('pass');
    expect(failing(record([signal('SIGTERM', 100)], { atMs: 1101 }))).toEqual(['deadline/too-slow']);
  });

  it('judges the first terminating signal, not a later one', () => {
    // SIGTERM allows 143, SIGINT does not: the target died of the SIGTERM that came first.
    const r = record([signal('SIGTERM', 100), signal('SIGINT', 101)], { status: 143, exitCode: null, signal: 'SIGTERM', atMs: 102 });
    expect(judge(r).verdict).toBe('pass');
  });

  it('requires a survived signal to leave the target alive and ready', () => {
    const events = [signal('SIGHUP', 100), signal('SIGTERM', 2000)];
    const ok = record(events, { atMs: 2050 }, { checks: [{ event: 0, atMs: 600, alive: true, ready: { ok: true, detail: 'HTTP 200' } }] });
    expect(judge(ok).verdict).toBe('pass');
    const died = record(events, { status: 129, atMs: 101 }, { checks: [{ event: 0, atMs: 101, alive: false, ready: null }] });
    expect(failing(died)).toContain('alive/died');
    const unready = record(events, { atMs: 2050 }, { checks: [{ event: 0, atMs: 600, alive: true, ready: { ok: false, detail: 'ECONNREFUSED' } }] });
    expect(failing(unready)).toEqual(['alive/not-ready']);
    // Seen running but refusing, when the record's exit came before the check: the engine reported the exit late.
    const lateReport = record([signal('SIGHUP', 200)], { status: 2, exitCode: 2, atMs: 219 }, { checks: [{ event: 0, atMs: 529, alive: true, ready: { ok: false, detail: 'ECONNREFUSED' } }] });
    expect(failing(lateReport)).toEqual(['exit-status/unexpected-exit', 'alive/died']);
    expect(judge(lateReport).results.find((r) => r.oracle === 'alive')?.message).toBe('329 ms after SIGHUP (+200 ms) the target had exited (status 2, at +219 ms)');
  });

  it('does not judge aliveness checked after a terminating signal already landed', () => {
    const events = [signal('SIGHUP', 100), signal('SIGTERM', 200)];
    const r = record(events, { atMs: 250 }, { checks: [{ event: 0, atMs: 600, alive: false, ready: null }] });
    expect(judge(r).verdict).toBe('pass');
  });

  it('accepts a stop during start-up by the signal\'s default action, and nothing else there', () => {
    const zeroOnly = { SIGTERM: { kind: 'exit' as const, exit: [0], within: 1000 } };
    const startup = { exitedInStartup: true, expect: zeroOnly };
    // gunicorn, say, installs its handlers once Python has loaded it: SIGTERM 600 ms before readiness ends it with 143.
    const byDefault = record([signal('SIGTERM', -600)], { status: 143, exitCode: null, signal: 'SIGTERM', atMs: -599 }, startup);
    expect(judge(byDefault).verdict).toBe('pass');
    expect(judge(byDefault).results.find((r) => r.oracle === 'exit-status')!.message).toMatch(/^ended by SIGTERM's default action \(-600 ms, during start-up\), status 143/);
    // Another status, or the same signal after readiness, is judged as ever.
    expect(failing(record([signal('SIGTERM', -600)], { status: 1, atMs: -590 }, startup))).toEqual(['exit-status/wrong-status']);
    expect(failing(record([signal('SIGTERM', 100)], { status: 143, exitCode: null, signal: 'SIGTERM', atMs: 101 }, { expect: zeroOnly }))).toEqual(['exit-status/wrong-status']);
  });

  it('accepts an end during start-up by the default action of a signal it must survive once ready, and nothing else there', () => {
    // CI, gunicorn: a SIGHUP 600 ms after spawn, before its arbiter had installed its handlers, ended it with 129.
    const hup = (exit: Partial<ExitRecord>, extra: Partial<TrialRecord> = { exitedInStartup: true }) => record([signal('SIGHUP', -575)], exit, extra);
    const byDefault = hup({ status: 129, exitCode: null, signal: 'SIGHUP', atMs: -574 });
    expect(judge(byDefault).verdict).toBe('pass');
    expect(judge(byDefault).results.find((r) => r.oracle === 'exit-status')!.message).toMatch(/^ended by SIGHUP's default action \(-575 ms, during start-up\), status 129 \(SIGHUP\)/);
    // Go as a container's PID 1 exits 2 where the kernel ignores the default action: that too, silent and in a container.
    const pid1 = { exitedInStartup: true, backend: 'docker' as const };
    expect(judge(hup({ status: 2, exitCode: 2, atMs: -570 }, pid1)).verdict).toBe('pass');
    const panicked = { ...pid1, logs: [{ atMs: -572, stream: 'stderr' as const, text: 'panic: close of closed channel' }] };
    expect(failing(hup({ status: 2, exitCode: 2, atMs: -570 }, panicked))).toEqual(['exit-status/go-panic']);
    // Another status, a SIGKILL, or the same end after readiness is judged as ever.
    expect(failing(hup({ status: 2, exitCode: 2, atMs: -570 }))).toEqual(['exit-status/unexpected-exit']);
    expect(failing(hup({ status: 137, exitCode: null, signal: 'SIGKILL', atMs: -500, forcedKill: true }))).toEqual(['exit-status/unexpected-exit']);
    const after = record([signal('SIGHUP', 100)], { status: 129, exitCode: null, signal: 'SIGHUP', atMs: 101 }, { checks: [{ event: 0, atMs: 600, alive: false, ready: null }] });
    expect(failing(after)).toEqual(['exit-status/unexpected-exit', 'alive/died']);
  });

  it("accepts a second SIGTERM's default action once the drain was done (the README's Python app, ending as CPython finalises), and nothing else", () => {
    const zeroOnly = { expect: { SIGTERM: { kind: 'exit' as const, exit: [0], within: 5000 } } };
    const request = (id: number, sentMs: number, endMs: number, outcome: LedgerEntry['outcome'] = 'ok'): LedgerEntry => ({
      id, kind: 'request', method: 'GET', path: '/slow', connection: 'fresh', reused: false, sentMs, endMs, outcome, bytes: outcome === 'ok' ? 3 : 0,
    });
    const exit143 = { status: 143, exitCode: null, signal: 'SIGTERM' as const, atMs: 1893 };
    const twice = [signal('SIGTERM', 1628), signal('SIGTERM', 1879)];
    // #19 in flight at the first SIGTERM, answered at +1854; #20, sent after it, refused; nothing in flight at +1879.
    const done = [request(19, 1552, 1854), request(20, 1801, 1802, 'refused')];
    const r = record(twice, exit143, { ...zeroOnly, ledger: done });
    expect(failing(r)).toEqual([]);
    expect(judge(r).results.find((x) => x.oracle === 'second-signal')!.message).toMatch(/came once the drain was done .* cutting nothing short/);
    // A request still in flight at the second SIGTERM, one in flight at the first left unanswered, or nothing in flight
    // at the first (no telling), or another status: judged as before.
    expect(failing(record(twice, exit143, { ...zeroOnly, ledger: [...done, request(21, 1850, 1893, 'reset')] }))).toContain('second-signal/not-ignored');
    expect(failing(record(twice, exit143, { ...zeroOnly, ledger: [request(19, 1552, 1885, 'reset')] }))).toContain('exit-status/wrong-status');
    expect(failing(record(twice, exit143, { ...zeroOnly, ledger: [request(20, 1801, 1802, 'refused')] }))).toContain('exit-status/wrong-status');
    expect(failing(record(twice, { status: 1, exitCode: 1, atMs: 1893 }, { ...zeroOnly, ledger: done }))).toContain('second-signal/not-ignored');
    // CI, gunicorn: a SIGHUP storm as the arbiter exited after its drain ended it with 129: the same.
    const hup = { ...zeroOnly, expect: { ...zeroOnly.expect, SIGHUP: { kind: 'alive' as const, settle: 2000 } }, ledger: done };
    const storm = [signal('SIGTERM', 1628), signal('SIGHUP', 1879)];
    expect(failing(record(storm, { status: 129, exitCode: null, signal: 'SIGHUP', atMs: 1900 }, hup))).toEqual([]);
  });

  it('fails an exit that no terminating signal explains', () => {
    const r = record([signal('SIGHUP', 100)], { status: 2, exitCode: 2, atMs: 150 }, { checks: [{ event: 0, atMs: 150, alive: false, ready: null }] });
    expect(failing(r)).toEqual(['exit-status/unexpected-exit', 'alive/died']);
  });

  it('turns an oracle that throws on a malformed record into unknown, not a crash', () => {
    const r = record([signal('SIGTERM', 100)], {});
    (r as { events: unknown }).events = [null];
    const { verdict, results } = judge(r);
    expect(verdict).toBe('unknown');
    expect(results.every((x) => x.verdict === 'unknown')).toBe(true);
  });
});
