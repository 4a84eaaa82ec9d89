import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineMatch, writeMatch } from '../../src/faults/anchor.js';
import { firstCame } from '../../src/host/watch-worker.js';
import { FILE_BURST_MS } from '../../src/schedule/event.js';

// The watch thread counts writes and lines itself (it releases a plan without the event loop): it must pick the one
// the event loop's anchor would, or a replay played from either path times its signal from a different write or line.

const times = fc.array(fc.tuple(fc.constantFrom(0, 1, FILE_BURST_MS - 1, FILE_BURST_MS, FILE_BURST_MS + 1, 3 * FILE_BURST_MS), fc.constantFrom('snapshot', 'snapshot.tmp', 'wal', 'reopening logs', 'other')), { maxLength: 40 });
const seen = (gaps: [number, string][]) => {
  let atMs = 1000;
  return gaps.map(([gap, what]) => ({ atMs: (atMs += gap), what }));
};

describe('the watch thread counts as the anchors do', () => {
  it('writes: the nth burst of a matching file, from fromMs', () => {
    fc.assert(
      fc.property(times, fc.constantFrom('snapshot', 'wal'), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1000, max: 1100 }), (gaps, file, nth, fromMs) => {
        const changes = seen(gaps).map((c) => ({ atMs: c.atMs, name: c.what }));
        const arm = { arm: 1, watch: 1, file, nth, burstMs: FILE_BURST_MS, fromMs, untilMs: Infinity };
        expect(firstCame(arm, changes)).toBe(changes.find(writeMatch({ file, nth, within: 10_000 }, fromMs))?.atMs);
      }),
    );
  });

  it('lines: the nth line holding the text, from fromMs', () => {
    fc.assert(
      fc.property(times, fc.constantFrom('reopening', 'snapshot', 'logs'), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1000, max: 1100 }), (gaps, log, nth, fromMs) => {
        const lines = seen(gaps).map((c) => ({ atMs: c.atMs, text: c.what, stream: 'stdout' as const }));
        const arm = { arm: 1, output: 1, log, nth, fromMs, untilMs: Infinity };
        expect(firstCame(arm, lines)).toBe(lines.find(lineMatch({ log, nth, within: 10_000 }, fromMs))?.atMs);
      }),
    );
  });
});
