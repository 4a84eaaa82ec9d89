import { describe, expect, it } from 'vitest';
import { amplifySearch } from '../../src/fuzz/amplify.js';
import { Budget } from '../../src/fuzz/budget.js';
import { closerAnchors, landings, writeMarks, type Observed } from '../../src/fuzz/closer-anchors.js';
import { LASTING_MS } from '../../src/fuzz/neighbourhood.js';
import type { Variant } from '../../src/fuzz/variant.js';
import { writeMatch } from '../../src/faults/anchor.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import { anchorOf, type FaultEvent, type Schedule } from '../../src/schedule/event.js';
import type { PlayedEvent } from '../../src/schedule/played.js';

// Closer anchors: a failing trial's signal re-timed from the write or line that came nearest before it landed. Pure
// checks over record fragments shaped as node-commit-window's trials are (times in ms after readiness).

const space = { step: 25, horizon: 1500, horizonMax: 10_000 };
const byRequest: FaultEvent = { at: 5, after: { request: 1, path: '/order', phase: 'sent', within: 3000 }, kind: 'signal', signal: 'SIGTERM', to: 'main' };
const played = (e: FaultEvent, scheduledMs: number, deliveredMs: number, anchorMs?: number): PlayedEvent => ({
  ...e,
  at: scheduledMs,
  origin: 'schedule',
  scheduledMs,
  ...(anchorMs !== undefined ? { anchorMs } : {}),
  deliveredMs,
});
const observed = (events: PlayedEvent[], writes: { atMs: number; name: string }[], over: Partial<Observed> = {}): Observed => ({
  events,
  writes,
  logs: [],
  exit: { exitCode: null, signal: 'SIGTERM', status: 143, atMs: 14, forcedKill: false, lingering: [] },
  ...over,
});

describe('closerAnchors', () => {
  it('times a signal sent 5 ms after a request from the write nearest before it: at 0 ms, 1 ms and as long after it as it landed', () => {
    // The order was sent at 6.8 ms, its journal written at 9.1 (and again at 9.4: the same write), the TERM landed at 11.8.
    const o = observed([played(byRequest, 11.8, 11.8, 6.8)], [{ atMs: 9.1, name: 'orders.log' }, { atMs: 9.4, name: 'orders.log' }]);
    const after = { file: 'orders.log', nth: 1, within: 1500 };
    expect(closerAnchors([byRequest], o, space)).toEqual([0, 1, 2].map((at) => [{ ...byRequest, at, after }]));
  });

  it('counts writes as the player does, so the anchor it proposes finds the same write again', () => {
    const writes = [
      { atMs: 3, name: 'transfers.log' }, // debit 1
      { atMs: 11, name: 'transfers.log' }, // credit 1, 8 ms later: the same write
      { atMs: 4, name: 'other.log' },
      { atMs: 1003, name: 'transfers.log' }, // debit 2
      { atMs: 1020, name: 'transfers.log' }, // credit 2, 17 ms later: a write of its own
    ];
    const marks = writeMarks(writes, space).filter((m) => 'file' in m.after && m.after.file === 'transfers.log');
    expect(marks.map((m) => [m.atMs, 'nth' in m.after ? m.after.nth : 0])).toEqual([[3, 1], [1003, 2], [1020, 3]]);
    for (const m of marks) {
      const match = writeMatch(m.after as { file: string; nth: number; within: number }, 0);
      expect(writes.find((w) => match(w))?.atMs).toBe(m.atMs);
    }
  });

  it('leaves out writes after the exit or more than two steps before the signal, signals that landed after the exit, and start-up deaths', () => {
    const late = observed([played(byRequest, 11.8, 11.8, 6.8)], [{ atMs: 15, name: 'orders.log' }, { atMs: -40, name: 'orders.log' }]);
    expect(closerAnchors([byRequest], late, space)).toEqual([]);
    const far = observed([played(byRequest, 61.8, 61.8, 56.8)], [{ atMs: 9, name: 'orders.log' }], { exit: { ...late.exit, atMs: 70 } });
    expect(closerAnchors([byRequest], far, space)).toEqual([]);
    const afterExit = observed([played(byRequest, 11.8, 11.8, 6.8)], [{ atMs: 9.1, name: 'orders.log' }], { exit: { ...late.exit, atMs: 10 } });
    expect(closerAnchors([byRequest], afterExit, space)).toEqual([]);
    const startup = observed([played(byRequest, 11.8, 11.8, 6.8)], [{ atMs: 9.1, name: 'orders.log' }], { exitedInStartup: { atMs: 5 } as Observed['exitedInStartup'] });
    expect(closerAnchors([byRequest], startup, space)).toEqual([]);
  });

  it('takes a write read after the signal but before the exit as one the target made first: at 0 and 1 ms after it', () => {
    // node-commit-window, seed 2: the TERM landed at 29.1 ms, the journal's write was read at 31.6, the exit at 32.3.
    const o = observed([played(byRequest, 29.1, 29.1, 24.1)], [{ atMs: 31.6, name: 'orders.log' }], { exit: { ...observed([], []).exit, atMs: 32.3 } });
    const after = { file: 'orders.log', nth: 1, within: 1500 };
    expect(closerAnchors([byRequest], o, space)).toEqual([0, 1].map((at) => [{ ...byRequest, at, after }]));
  });

  it('does not propose what the event already is, and keeps the other events as they are', () => {
    const byWrite: FaultEvent = { at: 0, after: { file: 'orders.log', nth: 1, within: 1500 }, kind: 'signal', signal: 'SIGTERM', to: 'main' };
    const later: FaultEvent = { at: 700, kind: 'signal', signal: 'SIGTERM', to: 'main' };
    const o = observed([played(byWrite, 9.6, 9.6, 9.6), played(later, 700, 700)], [{ atMs: 9.6, name: 'orders.log' }], { exit: { ...observed([], []).exit, atMs: 11 } });
    const out = closerAnchors([byWrite, later], o, space);
    expect(out).toEqual([[{ ...byWrite, at: 1 }, later]]);
  });

  it('times a signal from a line the target printed just before it', () => {
    const plain: FaultEvent = { at: 712, kind: 'signal', signal: 'SIGTERM', to: 'main' };
    const o = observed([played(plain, 712, 712.2)], [], { logs: [{ atMs: 708.4, stream: 'stderr', text: 'zoo: reopening logs' }], exit: { ...observed([], []).exit, atMs: 715 } });
    const out = closerAnchors([plain], o, space);
    expect(out.map((s) => s[0])).toEqual([0, 1, 3].map((at) => ({ ...plain, at, after: { log: 'zoo: reopening logs', nth: 1, within: 1500 } })));
  });

  it('waits for its write as long as the horizon, or eight steps past it when it came later', () => {
    const plain: FaultEvent = { at: 1805, kind: 'signal', signal: 'SIGTERM', to: 'main' };
    const o = observed([played(plain, 1805, 1805.3)], [{ atMs: 1801.2, name: 'snapshot.tmp' }], { exit: { ...observed([], []).exit, atMs: 1810 } });
    expect(closerAnchors([plain], o, space).map((s) => anchorOf(s[0]!))).toEqual([0, 1, 4].map(() => ({ file: 'snapshot.tmp', nth: 1, within: 2025 })));
  });

  it('proposes only schedules the schedule parser accepts', () => {
    const o = observed([played(byRequest, 11.8, 11.8, 6.8)], [{ atMs: 9.1, name: 'orders.log' }, { atMs: 2, name: 'orders.log.tmp' }]);
    const out = closerAnchors([byRequest], o, space);
    expect(out.length).toBeGreaterThan(3);
    for (const s of out) expect(parseSchedule(JSON.parse(JSON.stringify(s)), 'proposal')).toEqual(s);
  });
});

describe('landings', () => {
  it('matches played events to the schedule by what they send and how they were timed, in order', () => {
    const a: FaultEvent = { at: 100, kind: 'signal', signal: 'SIGTERM', to: 'main' };
    const b: FaultEvent = { at: 100, kind: 'signal', signal: 'SIGINT', to: 'main' };
    const teardown: PlayedEvent = { ...a, at: 900, origin: 'teardown', scheduledMs: 900, deliveredMs: 900 };
    const events = [played(b, 100, 100.4), teardown, played(a, 100, 100.2), played(byRequest, 11.8, 11.9, 6.8)];
    expect(landings([a, b, byRequest, { ...a, at: 300 }], events)).toEqual([100.2, 100.4, 11.9, undefined]);
  });
});

describe('amplifySearch with closer anchors', () => {
  it('tries the extra variants in the first round and climbs to one that fails every time', async () => {
    const original: Variant = { schedule: [byRequest], workloadScale: 1 };
    const byWrite: Schedule = [{ ...byRequest, at: 0, after: { file: 'orders.log', nth: 1, within: 1500 } }];
    let now = 0;
    let n = 0;
    const result = await amplifySearch({
      original,
      extra: [{ schedule: byWrite, workloadScale: 1 }],
      recorded: { failed: 6, runs: 20 },
      space: { step: 25, horizon: 1500, scalable: false, recipients: ['main'], lasting: LASTING_MS },
      run: async (x) => {
        now += 1;
        n++;
        // Timed from the write it always fails; anything else one time in three (deterministically).
        return JSON.stringify(x.schedule) === JSON.stringify(byWrite) || n % 3 === 0;
      },
      parallel: 2,
      budget: new Budget(0, 100_000, () => now),
      confirmRuns: 20,
      goal: 0.9,
    });
    expect(result.best.variant.schedule).toEqual(byWrite);
    expect(result.goalMet).toBe(true);
    expect(result.arms[1]!.variant.schedule).toEqual(byWrite); // first of the first round
  });
});
