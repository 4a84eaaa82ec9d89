import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { anchorProblem } from '../helpers/anchor-problem.js';
import { arrival, writeMatch, type FileChange } from '../../src/faults/anchor.js';
import { Player, type FaultTarget } from '../../src/faults/player.js';
import { fileAnchorsOf } from '../../src/fuzz/activity.js';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { SCOUT_AFTER, timeSpaceOf, type TimeSpace } from '../../src/fuzz/time-space.js';
import { loadScenario } from '../../src/scenario/load.js';
import { anchorOf, describeEvent } from '../../src/schedule/event.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import { now, sleep } from '../../src/time.js';
import { watchDataDir } from '../../src/trial/file-watch.js';
import type { TrialRecord } from '../../src/trial/record.js';

// Events timed from a file the target writes in its data directory (`after: {file}`): for a window a silent flush
// opens, which prints nothing. The format, how writes are counted, the kernel's reports, and how the fuzzer draws them.

describe('the format', () => {
  it('holds a file anchor: `at` ms after the nth write of a file whose name holds `file`', () => {
    const [e] = parseSchedule([{ at: 1, signal: 'SIGTERM', after: { file: 'snapshot' } }], 'test');
    expect(e).toEqual({ at: 1, kind: 'signal', signal: 'SIGTERM', to: 'main', after: { file: 'snapshot', nth: 1, within: 10_000 } });
    expect(describeEvent(e!)).toBe('+1 ms after the write of "snapshot" SIGTERM→main');
    const [second] = parseSchedule([{ at: 0, signal: 'SIGINT', after: { file: 'wal', nth: 3, within: '4s' } }], 'test');
    expect(describeEvent(second!)).toBe('+0 ms after write #3 of "wal" SIGINT→main');
  });

  it('refuses a path, an empty name, and keys of other anchors, naming the key path', () => {
    const problem = anchorProblem;
    expect(problem({ file: 'data/snapshot' })).toBe('[0].after.file: expected a file name without a directory: a file of the data directory');
    expect(problem({ file: '' })).toMatch(/^\[0\]\.after\.file: expected \(a part of\) the name of a file/);
    expect(problem({ file: 'snapshot', phase: 'sent' })).toBe('[0].after.phase: `phase` does not belong to an event timed from a file write (`file`)');
    expect(problem({ file: 'snapshot', log: 'x' })).toBe('[0].after: expected one of `log`, `request` or `file`, not `log` and `file`: an event is timed from one thing');
  });
});

describe('counting writes', () => {
  const changes = (list: [number, string][]): FileChange[] => list.map(([atMs, name]) => ({ atMs, name }));

  it('a burst of changes to matching files is one write: a temporary file created, written and renamed over the old one', () => {
    // write 1 at 100 (snapshot.tmp created, written, renamed to snapshot), write 2 at 1100, write 3 at 2100
    const seen = changes([[100, 'snapshot.tmp'], [101, 'snapshot.tmp'], [102, 'snapshot.tmp'], [102, 'snapshot'], [500, 'access.log'], [1100, 'snapshot.tmp'], [1103, 'snapshot'], [2100, 'snapshot.tmp']]);
    const nth = (n: number, fromMs = 0) => seen.find(writeMatch({ file: 'snapshot', nth: n, within: 5000 }, fromMs))?.atMs;
    expect([nth(1), nth(2), nth(3), nth(4)]).toEqual([100, 1100, 2100, undefined]);
    expect(nth(1, 101)).toBe(101); // counted from the origin: a write under way then counts from its next change
    expect(seen.find(writeMatch({ file: 'access', nth: 1, within: 5000 }, 0))?.atMs).toBe(500);
  });
});

describe('the kernel’s reports', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const target = (): FaultTarget => ({
    signal: async (signals) => signals.map(() => ({ atMs: now(), via: 'host-pid' as const, pids: [] })),
    pause: async () => ({ atMs: now(), via: 'host-pid' as const, heal: async () => now() }),
    partition: async () => ({ atMs: now(), via: 'host-pid' as const, heal: async () => now() }),
  });

  it('play an event `at` ms after the second write of a file of the directory, the writes dated as they are read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-file-anchor-'));
    dirs.push(dir);
    const files = watchDataDir(dir, true)!;
    const origin = now();
    const player = new Player(target(), origin, {}, { files });
    await player.play(parseSchedule([{ at: 5, signal: 'SIGTERM', after: { file: 'snapshot', nth: 2, within: 5000 } }], 'test'));
    writeFileSync(join(dir, 'other'), 'x');
    for (let k = 0; k < 2; k++) {
      await sleep(40);
      writeFileSync(join(dir, 'snapshot.tmp'), `state ${k}\n`);
      renameSync(join(dir, 'snapshot.tmp'), join(dir, 'snapshot'));
    }
    await player.settled();
    files.close();
    const [played] = player.played;
    expect(played!.error).toBeUndefined();
    const second = files.changes.filter((c) => c.name.startsWith('snapshot')).map((c) => c.atMs - origin);
    // the second burst's first change (the first burst's changes all came within a few ms of each other)
    const burst = second.find((ms) => ms - second[0]! >= 10)!;
    expect(played!.anchorMs).toBe(burst);
    expect(played!.scheduledMs).toBe(burst + 5);
    expect(played!.deliveredMs!).toBeGreaterThanOrEqual(played!.scheduledMs);
  });

  it('leave the event unplayed, saying why, when no such write comes within its time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-file-anchor-'));
    dirs.push(dir);
    const files = watchDataDir(dir, true)!;
    const player = new Player(target(), now(), {}, { files });
    await player.play(parseSchedule([{ at: 0, signal: 'SIGTERM', after: { file: 'snapshot', within: 30 } }], 'test'));
    writeFileSync(join(dir, 'journal'), 'x');
    await player.settled();
    files.close();
    expect(player.played[0]!.error).toBe('not played: no write of "snapshot" in the data directory within 30 ms');
    // no directory to watch: nothing comes
    expect(watchDataDir(join(dir, 'missing'), true)).toBeUndefined();
    const none = await arrival({}, { file: 'snapshot', nth: 1, within: 10 }, now(), now() + 10, new AbortController().signal);
    expect(none).toBeUndefined();
  });
});

describe('the fuzzer', () => {
  const record = (written: Record<string, number>[], exitMs = 5000, startup = false) =>
    ({ exitedInStartup: startup, events: [], exit: { atMs: exitMs }, logs: [], samples: written.map((w, i) => ({ atMs: i * 100, processes: [], written: w })) }) as unknown as TrialRecord;

  it('takes as anchors the files the target wrote after readiness, before the schedule touched it, by their names without digits', () => {
    const r = record([{ 'config.json': -400, 'segment-7.log': -50 }, { 'config.json': -400, 'segment-8.log': 900, snapshot: 1000 }, { 'segment-9.log': 1900, snapshot: 2000, journal: 6000 }]);
    expect(fileAnchorsOf(r)).toEqual(['segment-', 'snapshot']);
    expect(fileAnchorsOf(record([{ snapshot: 1000 }], 800))).toEqual([]);
    expect(fileAnchorsOf(record([{ snapshot: 1000 }], 5000, true))).toEqual([]);
  });

  it('join the time space once scouting begins, and some signals are drawn after a write, most within a step of it to the ms', async () => {
    const space = { horizon: 1500, horizonMax: 10_000, step: 25 };
    expect(timeSpaceOf(space, { judged: SCOUT_AFTER - 1, files: ['snapshot'] }).files).toBeUndefined();
    expect(timeSpaceOf(space, { judged: SCOUT_AFTER, files: ['snapshot'] }).files).toEqual(['snapshot']);
    const times: TimeSpace = { horizon: 2200, scout: 4400, near: [], fine: 25, files: ['snapshot'] };
    const scenario = await loadScenario(join(resolve('test/fixtures/draws'), 'docker-default.yml'));
    const anchored = fc.sample(scheduleArbitrary(scenario, undefined, () => times), { seed: 5, numRuns: 300 }).flat().filter((e) => anchorOf(e));
    expect(anchored.length).toBeGreaterThan(0);
    for (const e of anchored) expect(anchorOf(e)).toEqual({ file: 'snapshot', nth: 1, within: 2200 });
    expect(anchored.filter((e) => e.at <= 25).length / anchored.length).toBeGreaterThan(0.5);
    expect(parseSchedule(anchored, 'drawn')).toHaveLength(anchored.length);
  });
});
