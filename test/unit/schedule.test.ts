import { describe, expect, it } from 'vitest';
import { describeEvent, parseEventsArgument, parseSchedule } from '../../src/faults/event.js';
import { play, type PlayedEvent } from '../../src/faults/player.js';
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

  it('accepts a file-style {events: [...]} and names the bad element', () => {
    expect(parseSchedule({ events: [{ at: 0, signal: 'SIGHUP' }] }, 'f.json')).toHaveLength(1);
    expect(() => parseSchedule([{ at: -5, signal: 'SIGTERM', to: 'everyone' }], 'f.json')).toThrow(/f\.json[\s\S]*\[0\]\.at[\s\S]*\[0\]\.to/);
    expect(() => parseEventsArgument('[{"at":0,')).toThrow(/--events: not valid JSON/);
  });

  it('plays events from one start instant, so slow deliveries do not push later events back', async () => {
    // Each delivery takes 15 ms; with chained sleeps the tenth event would be ≥ 135 ms late.
    const schedule = Array.from({ length: 10 }, (_, i) => ({ at: i * 20, kind: 'signal' as const, signal: 'SIGWINCH' as const, to: 'main' as const }));
    const start = now();
    const played: PlayedEvent[] = [];
    await play(
      schedule,
      start,
      async () => {
        const atMs = now();
        await sleep(15);
        return { atMs, via: 'host-pid', pids: [] };
      },
      { signal: new AbortController().signal, onPlayed: (p) => played.push(p) },
    );
    const lags = played.map((p) => p.deliveredMs! - p.scheduledMs);
    expect(Math.max(...lags)).toBeLessThan(60);
    expect(lags.every((lag) => lag >= 0)).toBe(true);
  });

  it('records events left unplayed when the trial ends early', async () => {
    const controller = new AbortController();
    const schedule = [0, 10_000].map((at) => ({ at, kind: 'signal' as const, signal: 'SIGTERM' as const, to: 'main' as const }));
    const playing = play(schedule, now(), async () => ({ atMs: now(), via: 'host-pid', pids: [1] }), {
      signal: controller.signal,
      onPlayed: () => controller.abort(),
    });
    const played = await playing;
    expect(played.map((p) => p.error ?? 'delivered')).toEqual(['delivered', 'not played: the trial was over']);
  });
});
