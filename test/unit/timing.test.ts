import { describe, expect, it } from 'vitest';
import { shotsOf } from '../../src/faults/plan.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import type { PlayedEvent } from '../../src/schedule/played.js';
import { TrialRecordSchema } from '../../src/trial/record-schema.js';
import { describeTiming, spread, timingOf } from '../../src/trial/timing.js';
import { now, within } from '../../src/time.js';

const recipients = { kill: [-42], pids: [42, 43] };

describe('the timing thread plan', () => {
  it('sends a signal, and all of a race, in one shot at the event instant', () => {
    const [race, signal] = parseSchedule([{ at: 100, signal: 'SIGTERM', to: 'group' }, { at: 50, kind: 'race', signals: ['SIGTERM', 'SIGINT'] }], 'test'); // in time order
    expect(shotsOf(signal!, 1000, recipients)).toEqual([{ atMs: 1100, signals: ['SIGTERM'], kill: [-42] }]);
    expect(shotsOf(race!, 1000, recipients)).toEqual([{ atMs: 1050, signals: ['SIGTERM', 'SIGINT'], kill: [-42] }]);
  });

  it('gives each signal of a storm its own instant, spacing apart, signals in turn', () => {
    const [storm] = parseSchedule([{ at: 10, kind: 'storm', signals: ['SIGHUP', 'SIGUSR1'], count: 3, spacing: 5 }], 'test');
    expect(shotsOf(storm!, 0, recipients).map((s) => [s.atMs, s.signals])).toEqual([
      [10, ['SIGHUP']],
      [15, ['SIGUSR1']],
      [20, ['SIGHUP']],
    ]);
  });
});

describe('a trial timing summary', () => {
  it('takes nearest-rank percentiles in whole microseconds', () => {
    expect(spread([])).toBeUndefined();
    expect(spread([3.4])).toEqual({ p50: 3, p99: 3, max: 3, n: 1 });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(spread(hundred)).toEqual({ p50: 50, p99: 99, max: 100, n: 100 });
  });

  const played = (e: Partial<PlayedEvent>): PlayedEvent => ({ origin: 'schedule', scheduledMs: e.at ?? 0, at: 0, kind: 'signal', signal: 'SIGTERM', to: 'main', ...e }) as PlayedEvent;

  it('measures each signal from its own instant, a race once by its first signal, and the gaps within races', () => {
    const timing = timingOf([
      played({ at: 100, scheduledMs: 100, deliveries: [{ signal: 'SIGUSR1', atMs: 100.012 }], sentFrom: 'timing-thread' }),
      played({ at: 200, scheduledMs: 200, kind: 'storm', signals: ['SIGHUP'], count: 2, spacing: 10, deliveries: [{ signal: 'SIGHUP', atMs: 200.02 }, { signal: 'SIGHUP', atMs: 210.03 }], sentFrom: 'timing-thread' } as Partial<PlayedEvent>),
      played({ at: 300, scheduledMs: 300, kind: 'race', signals: ['SIGTERM', 'SIGINT'], deliveries: [{ signal: 'SIGTERM', atMs: 300.004 }, { signal: 'SIGINT', atMs: 300.007 }], sentFrom: 'timing-thread' } as Partial<PlayedEvent>),
      // Not scheduled, or never sent: not counted.
      played({ origin: 'teardown', at: 900, scheduledMs: 900, deliveries: [{ signal: 'SIGTERM', atMs: 905 }], sentFrom: 'event-loop' }),
      played({ at: 400, scheduledMs: 400, error: 'the target (pid 1) has exited', sentFrom: 'event-loop' }),
    ]);
    expect(timing).toEqual({ lagUs: { p50: 12, p99: 30, max: 30, n: 4 }, raceGapUs: { p50: 3, p99: 3, max: 3, n: 1 }, path: 'timing-thread' });
    expect(describeTiming(timing!)).toBe('signals on time: lag p50 12 µs, p99 30 µs, max 30 µs (n=4, timing thread); race gap p50 3 µs, p99 3 µs (n=1)');
  });

  it('says which path sent them, and nothing for a trial that sent no scheduled signal', () => {
    const a = played({ at: 0, scheduledMs: 0, deliveries: [{ signal: 'SIGTERM', atMs: 1.5 }], sentFrom: 'event-loop' });
    const b = played({ at: 0, scheduledMs: 0, deliveries: [{ signal: 'SIGTERM', atMs: 15 }], sentFrom: 'timing-thread' });
    expect(timingOf([a])?.path).toBe('event-loop');
    expect(timingOf([a, b])).toMatchObject({ path: 'mixed', lagUs: { max: 15000 } });
    expect(describeTiming(timingOf([a, b])!)).toContain('max 15.0 ms');
    expect(timingOf([played({ scheduledMs: 5, error: 'gone' })])).toBeUndefined();
  });

  it('is optional in a saved record, and checked when present', () => {
    const shape = TrialRecordSchema.shape.timing;
    expect(shape.safeParse(undefined).success).toBe(true);
    expect(shape.safeParse({ lagUs: { p50: 1, p99: 2, max: 3, n: 4 }, path: 'timing-thread' }).success).toBe(true);
    expect(shape.safeParse({ lagUs: { p50: 1 }, path: 'timing-thread' }).success).toBe(false);
  });
});

describe('a deadline waited for', () => {
  it('never ends before it: within() gives up no sooner than its time, however its timers fire', async () => {
    const never = new Promise<never>(() => undefined);
    for (let i = 0; i < 30; i++) {
      const ms = 1 + (i % 7);
      const started = now();
      expect(await within(never, ms)).toBeUndefined();
      expect(now() - started).toBeGreaterThanOrEqual(ms);
    }
  });
});
