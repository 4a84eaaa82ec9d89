import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/schedule/event.js';
import { parseEventsArgument, parseSchedule } from '../../src/schedule/parse.js';
import type { FaultTarget } from '../../src/faults/player.js';
import { Player } from '../../src/faults/player.js';
import { describeHeld } from '../../src/schedule/played.js';
import { now, sleep } from '../../src/time.js';

describe('schedules', () => {
  it('fills defaults, accepts durations and short signal names, and sorts by time', () => {
    const schedule = parseEventsArgument('[{"at":"1.5s","signal":"TERM"},{"at":120,"signal":"SIGINT","to":"group"}]');
    expect(schedule).toEqual([
      { at: 120, kind: 'signal', signal: 'SIGINT', to: 'group' },
      { at: 1500, kind: 'signal', signal: 'SIGTERM', to: 'main' },
    ]);
    expect(schedule.map(describeEvent)).toEqual(['+120 ms SIGINT→group', '+1500 ms SIGTERM→main']);
  });

  it('parses every kind of event with its defaults', () => {
    const schedule = parseSchedule(
      [
        { at: 0, kind: 'storm', count: 3 },
        { at: 1, kind: 'race', signals: ['TERM', 'INT'] },
        { at: 2, kind: 'pause', duration: '1s' },
        { at: 3, kind: 'partition', duration: 500, direction: 'in' },
      ],
      'test',
    );
    expect(schedule).toEqual([
      { at: 0, kind: 'storm', signals: ['SIGHUP'], count: 3, spacing: 10, to: 'main' },
      { at: 1, kind: 'race', signals: ['SIGTERM', 'SIGINT'], to: 'main' },
      { at: 2, kind: 'pause', duration: 1000 },
      { at: 3, kind: 'partition', direction: 'in', mode: 'drop', duration: 500 },
    ]);
    expect(schedule.map(describeEvent)).toEqual([
      '+0 ms storm 3× SIGHUP every 10 ms→main',
      '+1 ms race SIGTERM+SIGINT→main',
      '+2 ms pause 1000 ms',
      '+3 ms partition in (drop) 500 ms',
    ]);
    expect(() => parseSchedule([{ at: 0, kind: 'earthquake' }], 'f')).toThrow(/`kind` to be one of signal, storm, race, pause, partition/);
  });

  it('accepts a file-style {events: [...]} and names the bad element', () => {
    expect(parseSchedule({ events: [{ at: 0, signal: 'SIGHUP' }] }, 'f.json')).toHaveLength(1);
    expect(() => parseSchedule([{ at: -5, signal: 'SIGTERM', to: 'everyone:nobody' }], 'f.json')).toThrow(/f\.json[\s\S]*\[0\]\.at[\s\S]*\[0\]\.to/);
    expect(() => parseEventsArgument('[{"at":0,')).toThrow(/--events: not valid JSON/);
  });

  it('plays events from one start instant, so slow deliveries do not push later events back', async () => {
    // Each delivery takes 50 ms and the events are 20 ms apart. Timed from one origin, each event starts while the
    // one before is still being delivered (its timer is due first, however late a loaded machine runs both); with
    // chained sleeps none would start before the last delivery ended. No wall-clock bound needed.
    const schedule = parseSchedule(Array.from({ length: 5 }, (_, i) => ({ at: i * 20, signal: 'SIGWINCH' })), 'test');
    const origin = now();
    const ended: number[] = [];
    const player = new Player(fakeTarget(50, [], 0, ended), origin);
    await player.play(schedule);
    await player.settled();
    const started = player.played.map((p) => p.deliveredMs!);
    for (let i = 1; i < started.length; i++) expect(started[i]!).toBeLessThan(ended[i - 1]! - origin);
    expect(player.played.every((p) => p.deliveredMs! >= p.scheduledMs)).toBe(true); // never early
  });

  it('spaces a storm from its own start and does not hold back the events after it', async () => {
    // A storm of 400 ms and a signal 30 ms into it: the signal comes during the storm, not after it. (Wide gaps: a
    // loaded machine may run a timer tens of ms late, which must not decide the order.)
    const schedule = parseSchedule([{ at: 0, kind: 'storm', signals: ['SIGHUP', 'SIGUSR1'], count: 5, spacing: 100 }, { at: 30, signal: 'SIGTERM' }], 'test');
    const seen: string[] = [];
    const player = new Player(fakeTarget(0), now(), { onSignal: (s) => seen.push(s) });
    await player.play(schedule);
    await player.settled();
    expect([...seen].sort()).toEqual(['SIGHUP', 'SIGHUP', 'SIGHUP', 'SIGTERM', 'SIGUSR1', 'SIGUSR1']);
    expect(seen.indexOf('SIGTERM')).toBeLessThan(4);
    const storm = player.played[0]!;
    expect(storm.deliveries!.map((d) => d.signal)).toEqual(['SIGHUP', 'SIGUSR1', 'SIGHUP', 'SIGUSR1', 'SIGHUP']);
    storm.deliveries!.forEach((d, i) => expect(d.atMs).toBeGreaterThanOrEqual(i * 100));
  });

  it('heals a pause after its duration, and at once when the trial stops', async () => {
    const healed: string[] = [];
    const player = new Player(fakeTarget(0, healed), now());
    await player.play(parseSchedule([{ at: 0, kind: 'pause', duration: 30 }, { at: 0, kind: 'partition', duration: 60_000 }], 'test'));
    // However late a loaded machine runs the timer, the pause heals by itself and the minute-long partition does not.
    while (healed.length === 0) await sleep(5);
    expect(healed).toEqual(['pause']);
    await player.stop();
    expect(healed).toEqual(['pause', 'partition']);
    expect(player.played.map((p) => p.healedMs! >= p.deliveredMs!)).toEqual([true, true]);
  });

  it('holds a pause and a partition their whole duration from when they took effect, however slow the engine', async () => {
    // The engine takes 74 ms to freeze (and to cut): timed from the scheduled instant, the faults would hold 26 ms of 100.
    const player = new Player(fakeTarget(0, [], 74), now());
    await player.play(parseSchedule([{ at: 0, kind: 'pause', duration: 100 }, { at: 10, kind: 'partition', duration: 100 }], 'test'));
    await player.settled();
    for (const p of player.played) {
      expect(p.deliveredMs! - p.scheduledMs).toBeGreaterThanOrEqual(73); // the fake engine's 74 ms timer may fire a fraction of a ms early
      expect(p.heldMs).toBe(p.healedMs! - p.deliveredMs!);
      expect(p.heldMs).toBeGreaterThanOrEqual(100);
      expect(describeHeld(p)).toMatch(/^held \d+ of 100 ms$/);
    }
  });

  it('records a fault healed early, when the trial ended, as held less than asked', async () => {
    const player = new Player(fakeTarget(0), now());
    await player.play(parseSchedule([{ at: 0, kind: 'pause', duration: 60_000 }], 'test'));
    await sleep(20);
    await player.stop();
    const [pause] = player.played;
    expect(pause!.heldMs).toBeLessThan(60_000);
    expect(describeHeld(pause!)).toMatch(/^held \d+ of 60000 ms \(healed early: the trial was ending\)$/);
  });

  it('records events left unplayed when the trial ends early', async () => {
    const player = new Player(fakeTarget(0), now());
    const playing = player.play(parseSchedule([{ at: 0, signal: 'SIGTERM' }, { at: 10_000, signal: 'SIGTERM' }], 'test'));
    await sleep(20);
    await player.stop();
    await playing;
    expect(player.played.map((p) => p.error ?? 'delivered')).toEqual(['delivered', 'not played: the trial was over']);
  });
});

/**
 * A target that takes `delayMs` per signal and `applyMs` to apply a pause or partition, and notes what it heals and
 * when each signal's delivery ended.
 */
function fakeTarget(delayMs: number, healed: string[] = [], applyMs = 0, ended: number[] = []): FaultTarget {
  const applied = (what: string) => async () => {
    if (applyMs) await sleep(applyMs);
    return { atMs: now(), via: 'host-pid' as const, heal: async () => (healed.push(what), now()) };
  };
  return {
    signal: async (signals) => {
      const atMs = now();
      if (delayMs) await sleep(delayMs);
      ended.push(now());
      return signals.map(() => ({ atMs, via: 'host-pid' as const, pids: [] }));
    },
    pause: applied('pause'),
    partition: applied('partition'),
  };
}
