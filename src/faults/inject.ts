import type { Delivery, Recipient, StartedTarget } from '../backends/backend.js';
import type { SignalName } from '../signals.js';
import type { PartitionEvent } from './event.js';

/**
 * An applied fault that lasts. `atMs` is when it surely took effect; `heal` undoes it and resolves with the time
 * the undoing began, so [atMs, healed] is a span during which the fault surely held.
 */
export interface Applied {
  atMs: number;
  via: Delivery['via'];
  heal: () => Promise<number>;
}

/** What the player needs from a running target: one function per kind of fault. */
export interface Injectors {
  signal(signals: readonly SignalName[], to: Recipient): Promise<Delivery[]>;
  pause(): Promise<Applied>;
  partition(spec: Pick<PartitionEvent, 'direction' | 'mode'>): Promise<Applied>;
}

export const injectorsFor = (target: StartedTarget): Injectors => ({
  signal: (signals, to) => target.signal(signals, to),
  pause: () => target.pause(),
  partition: (spec) => target.partition(spec),
});
