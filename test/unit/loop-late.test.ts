import { describe, expect, it } from 'vitest';
import { lateAt } from '../../src/workload/ledger.js';
import { watchLoopLate } from '../../src/workload/loop-late.js';
import { now } from '../../src/time.js';

describe('the workload loop lateness', () => {
  it('keeps a tick held up by a blocked loop, and dates what the loop saw then as that much late', async () => {
    const origin = now();
    const loop = watchLoopLate(origin);
    await new Promise((resolve) => setTimeout(resolve, 15));
    const blockedAt = now();
    while (now() - blockedAt < 60); // the loop held for 60 ms: the tick due in it comes late
    const seenAt = now() - origin;
    await new Promise((resolve) => setTimeout(resolve, 30));
    loop.stop();
    // The tick due in the block ran once it was over, as late as the block was long (or later, on a busy machine).
    const held = loop.late.find((l) => l.lateMs >= 45)!;
    expect(held.atMs).toBeGreaterThanOrEqual(seenAt);
    expect(lateAt(loop.late, held.atMs - 5)).toBeGreaterThanOrEqual(45);
    expect(lateAt(loop.late, held.atMs + 500)).toBe(0);
    expect(lateAt(undefined, seenAt)).toBe(0);
  });
});
