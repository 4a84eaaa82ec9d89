import { describe, expect, it } from 'vitest';
import { heldFrom } from '../../src/workload/ledger.js';
import { watchLoopLate } from '../../src/workload/loop-late.js';
import { now } from '../../src/time.js';

describe('the workload loop lateness', () => {
  it('keeps a tick held up by a blocked loop, and dates what the loop saw then from when the hold began', async () => {
    const origin = now();
    const loop = watchLoopLate(origin);
    await new Promise((resolve) => setTimeout(resolve, 15));
    const blockedAt = now() - origin;
    while (now() - origin - blockedAt < 60); // the loop held for 60 ms: the tick due in it comes late
    await new Promise((resolve) => setTimeout(resolve, 30));
    loop.stop();
    // The tick due in the block ran once it was over, as late as the block was long (or later, on a busy machine).
    const held = loop.late.find((l) => l.lateMs >= 45)!;
    expect(held.atMs).toBeGreaterThanOrEqual(blockedAt + 60);
    expect(heldFrom(loop.late, held.atMs)).toBeLessThanOrEqual(blockedAt + 10);
    expect(heldFrom(loop.late, held.atMs + 500)).toBeUndefined();
    expect(heldFrom(undefined, held.atMs)).toBeUndefined();
  });

  it('makes one hold of consecutive late ticks, and lets the loop work off what came until its next tick', () => {
    // Due at 13, 37, 55: one hold from 13 to 64, the loop back on time by 79; another from 150.
    const late = [
      { atMs: 27, lateMs: 14 },
      { atMs: 45, lateMs: 8 },
      { atMs: 64, lateMs: 9 },
      { atMs: 160, lateMs: 10 },
    ];
    expect(heldFrom(late, 10)).toBeUndefined();
    expect(heldFrom(late, 40)).toBe(13);
    expect(heldFrom(late, 78)).toBe(13);
    expect(heldFrom(late, 100)).toBeUndefined();
    expect(heldFrom(late, 155)).toBe(150);
  });
});
