import type { Delivery } from '../backends/backend.js';
import { now, sleep } from '../time.js';
import type { FaultEvent } from './event.js';

/** An event as it was really played: times are ms after readiness on the trial's monotonic clock. */
export type PlayedEvent = FaultEvent & {
  origin: 'schedule' | 'teardown';
  scheduledMs: number;
  deliveredMs?: number;
  via?: Delivery['via'];
  pids?: number[];
  /** Why the event was not delivered (target already gone, process not found, …). */
  error?: string;
};

export type Injector = (event: FaultEvent) => Promise<Delivery>;

/**
 * The only impure interpreter of a schedule. Every event is timed from one start instant (no chained sleeps,
 * so delays never accumulate); `onPlayed` sees each event as soon as it is delivered.
 */
export async function play(
  schedule: readonly FaultEvent[],
  startMs: number,
  inject: Injector,
  options: { signal: AbortSignal; onPlayed: (played: PlayedEvent) => void; origin?: PlayedEvent['origin'] },
): Promise<PlayedEvent[]> {
  const played: PlayedEvent[] = [];
  for (const event of [...schedule].sort((a, b) => a.at - b.at)) {
    // Timers may fire a fraction of a millisecond early: never deliver before the scheduled instant.
    while (now() < startMs + event.at && !options.signal.aborted) await sleep(startMs + event.at - now(), options.signal);
    const record: PlayedEvent = { ...event, origin: options.origin ?? 'schedule', scheduledMs: event.at };
    if (options.signal.aborted) {
      played.push({ ...record, error: 'not played: the trial was over' });
      continue;
    }
    try {
      const delivery = await inject(event);
      Object.assign(record, { deliveredMs: delivery.atMs - startMs, via: delivery.via, pids: delivery.pids });
    } catch (error) {
      record.error = (error as Error).message;
    }
    played.push(record);
    options.onPlayed(record);
  }
  return played;
}
