import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fdKind } from '../../src/host/fd-kind.js';
import type { ProcessInfo } from '../../src/host/process-info.js';
import type { PlayedEvent } from '../../src/schedule/played.js';
import { judge } from '../../src/oracles/judge.js';
import { recordProblems } from '../../src/trial/record-schema.js';
import type { TrialRecord } from '../../src/trial/record.js';
import type { ClientConnection } from '../../src/workload/ledger.js';

// The fd-leak rule over trials recorded on the docker backend (test/fixtures/fd: the zoo's reload pairs under 8
// keep-alive connections, 8–12 SIGHUPs), and over small hand-written ones for the edges of the rule.
const recorded = (name: string) => JSON.parse(readFileSync(`test/fixtures/fd/${name}.docker.json`, 'utf8')) as TrialRecord;
const handles = (r: TrialRecord) => judge(r).results.filter((x) => x.oracle === 'handles');
const fdLeak = (r: TrialRecord) => handles(r).find((x) => x.kind === 'fd-leak');
/** Judged, and found no fd leak (not merely nothing to judge). */
const fdSteady = (r: TrialRecord) => handles(r).some((x) => x.verdict === 'pass' && /^fds by kind steady/.test(x.message)) && judge(r).verdict === 'pass';

/** The record as sigstorm wrote it before fds were sampled by kind. */
const withoutKinds = (r: TrialRecord): TrialRecord => ({
  ...r,
  connections: undefined,
  samples: r.samples.map((s) => ({ ...s, processes: s.processes.map(({ fdKinds: _k, fdTargets: _t, ...p }) => p) })),
});

describe('fd leaks in recorded trials', () => {
  it('passes the correct reloader whose fd count doubled with the workload’s keep-alive connections', () => {
    const r = recorded('hup-leak-fixed');
    const [result] = handles(r);
    expect((result!.evidence!.fdsAfter as number) - (result!.evidence!.fdsBefore as number)).toBeGreaterThanOrEqual(8);
    expect(result!.evidence!.clientConnectionsAfter).toBe(8);
    expect(fdSteady(r)).toBe(true);
    // The old rule (total fds) fails the same correct trial; it still judges records without kinds.
    expect(fdLeak(withoutKinds(r))?.message).toMatch(/open fds of the main process grew from \d+ to \d+ across 12 SIGHUP/);
  });

  it('fails the reloader leaking its config file: the kind that grew and the path that appeared', () => {
    const leak = fdLeak(recorded('hup-leak'))!;
    expect(leak.evidence!.leaking).toEqual(['file']);
    expect(leak.message).toMatch(/leaked file fds \+1[0-2] .* across 12 SIGHUP .*appeared: \/tmp\/config ×1[0-2]$/);
  });

  it('fails the reloader leaking a client socket each time, and passes its twin that closes the old client', () => {
    const leak = fdLeak(recorded('hup-socket-leak'))!;
    expect(leak.evidence!.leaking).toEqual(['socket']);
    expect((leak.evidence!.growth as Record<string, number>).socket).toBeGreaterThanOrEqual(12);
    expect(leak.message).toMatch(/leaked sockets \+\d+ net of the workload's connections .* across 8 SIGHUP .*appeared: socket:\[…\] ×\d+/);
    expect(fdSteady(recorded('hup-socket-leak-fixed'))).toBe(true);
  });

  it('keeps the record loadable by `analyze`, and small', () => {
    for (const name of ['hup-leak', 'hup-leak-fixed', 'hup-socket-leak', 'hup-socket-leak-fixed']) {
      const r = recorded(name);
      expect(recordProblems(r)).toEqual([]);
      expect(JSON.stringify(r.samples).length).toBeLessThan(20_000);
      // Targets for the main process only, and only where they changed.
      const mains = r.samples.map((s) => s.processes.find((p) => p.pid === r.target.pid)).filter((p) => p !== undefined);
      expect(mains.filter((p) => p.fdTargets).length).toBeLessThan(mains.length);
      expect(r.samples.every((s) => s.processes.every((p) => p.pid === r.target.pid || !p.fdTargets))).toBe(true);
    }
  });
});

describe('fd leak rule', () => {
  const at = (ms: number): PlayedEvent => ({
    at: ms, kind: 'signal', signal: 'SIGHUP', to: 'main', origin: 'schedule', scheduledMs: ms, deliveredMs: ms, deliveries: [{ signal: 'SIGHUP', atMs: ms }], via: 'host-pid', pids: [100],
  });
  const term: PlayedEvent = { ...at(2000), signal: 'SIGTERM', deliveries: [{ signal: 'SIGTERM', atMs: 2000 }] };
  const main = (kinds: Partial<ProcessInfo['fdKinds']>, fdTargets?: Record<string, number>): ProcessInfo => {
    const fdKinds = { socket: 1, pipe: 2, anon: 1, file: 2, other: 1, ...kinds };
    return { pid: 100, ppid: 1, pgid: 100, sid: 100, state: 'S', comm: 'server', startTime: 1, fds: Object.values(fdKinds).reduce((a, b) => a + b), fdKinds, ...(fdTargets ? { fdTargets } : {}) };
  };
  const trial = (hups: number[], samples: [number, ProcessInfo][], connections: ClientConnection[] = [], slack = 8): TrialRecord => ({
    scenario: { name: 'reload', path: '/s/reload.yml' }, backend: 'process', runId: 'r',
    expect: { SIGTERM: { kind: 'exit', exit: [0], within: 3000 }, SIGHUP: { kind: 'alive', settle: 100 } },
    oracles: { lost_requests: { no_refusals_for: 0 }, handles: { fd_slack: slack, allow_zombies: false, removed_on_exit: [], kept_on_exit: [] } },
    stopSignal: 'SIGTERM', stopGracePeriodMs: 3000, target: { id: '100', pid: 100 }, readyAt: '2026-12-01T00:00:00.000Z', readyMonotonicMs: 1, spawnToReadyMs: 1,
    schedule: [], events: [...hups.map(at), term], checks: [],
    exit: { exitCode: 0, signal: null, status: 0, atMs: 2100, forcedKill: false, lingering: [] },
    samples: samples.map(([atMs, p]) => ({ atMs, processes: [p] })), ledger: [], connections, files: [], logs: [],
  });
  const storm = (n: number) => Array.from({ length: n }, (_, i) => 100 + i * 100);

  it('catches one file per reload across a storm of 5 under the default slack, not one file across a single reload', () => {
    const five = trial(storm(5), [[50, main({ file: 2 })], [1000, main({ file: 7 })]]);
    expect(fdLeak(five)?.evidence).toMatchObject({ leaking: ['file'], perSignal: { file: 1 } });
    expect(fdSteady(trial(storm(4), [[50, main({ file: 2 })], [1000, main({ file: 6 })]]))).toBe(true);
    expect(fdSteady(trial([100], [[50, main({ file: 2 })], [1000, main({ file: 5 })]]))).toBe(true);
  });

  it('counts sockets net of the client connections open at each sample', () => {
    const pool = Array.from({ length: 8 }, (_, i): ClientConnection => ({ openMs: 60 + i }));
    const samples: [number, ProcessInfo][] = [[50, main({ socket: 1 })], [1500, main({ socket: 9 })]];
    expect(fdSteady(trial(storm(12), samples, pool))).toBe(true);
    // The same counts with the pool closed before the last sample: 8 sockets nobody accounts for.
    const closed = pool.map((c) => ({ ...c, closeMs: 1400 }));
    expect(fdLeak(trial(storm(12), samples, closed))?.evidence).toMatchObject({ leaking: ['socket'], growth: { socket: 8 } });
  });

  it('does not count a reload caught between opening the new file and closing the old one', () => {
    const samples: [number, ProcessInfo][] = [[40, main({})], [50, main({})], [1500, main({ file: 3 })], [1600, main({})], [1700, main({})]];
    expect(fdSteady(trial(storm(12), samples, [], 0))).toBe(true);
    samples.push([1800, main({ file: 3 })], [1900, main({ file: 3 })]);
    samples.splice(2, 3, [1500, main({ file: 3 })], [1600, main({ file: 3 })], [1700, main({ file: 3 })]);
    expect(fdLeak(trial(storm(12), samples, [], 0))?.evidence).toMatchObject({ leaking: ['file'] });
  });

  it('compares only samples read wholly before the stop signal: one begun before it but read after shows the shutdown', () => {
    // As on a busy machine (CI run s7): the last sample began 8 ms before the SIGTERM and was read 12 ms after it.
    const r = trial(storm(5), [[50, main({ socket: 1 })], [700, main({ socket: 11 })], [800, main({ socket: 11 })], [1992, main({ socket: 1 })]]);
    r.samples = r.samples.map((s) => ({ ...s, doneMs: s.atMs === 1992 ? 2012 : s.atMs + 2 }));
    expect(fdLeak(r)?.evidence).toMatchObject({ leaking: ['socket'], growth: { socket: 10 }, afterMs: 800 });
    // Records written before `doneMs` was kept: the time the sample began.
    expect(fdSteady({ ...r, samples: r.samples.map(({ doneMs: _d, ...s }) => s) })).toBe(true);
  });

  it('lists what appeared: paths by name, sockets by count, from the last targets kept on or before each sample', () => {
    const before = main({}, { '/dev/null': 1, '/etc/app.conf': 2, 'socket:[1]': 1, 'pipe:[7]': 2 });
    const unchanged = main({}); // no fdTargets: the same as the sample before
    const after = main({ file: 8, socket: 2 }, { '/dev/null': 1, '/etc/app.conf': 8, 'socket:[1]': 1, 'socket:[2]': 1, 'socket:[3]': 1, 'socket:[4]': 1, 'pipe:[7]': 2 });
    const leak = fdLeak(trial(storm(6), [[50, before], [80, unchanged], [1000, after]]))!;
    expect(leak.evidence!.leaking).toEqual(['file']);
    expect(leak.message).toMatch(/appeared: \/etc\/app\.conf ×6$/);
    expect(leak.evidence!.appeared).toContainEqual({ target: 'socket:[2]', kind: 'socket', count: 1 });
  });

  it('classifies fd targets', () => {
    expect(['socket:[123]', 'pipe:[9]', 'anon_inode:[eventpoll]', 'anon_inode:inotify', '/memfd:x (deleted)', '/tmp/a', '/dev/null', 'net:[4026531840]'].map(fdKind)).toEqual([
      'socket', 'pipe', 'anon', 'anon', 'anon', 'file', 'other', 'other',
    ]);
  });
});
