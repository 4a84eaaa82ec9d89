import { journal } from '../leftovers/journal.js';
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

/** The target's own injectors; lasting faults are noted in the journal while they hold. */
export const injectorsFor = (target: StartedTarget): Injectors => ({
  signal: (signals, to) => target.signal(signals, to),
  pause: () => target.pause().then((applied) => (journal.phase('fault', 'pause'), applied)),
  partition: (spec) => target.partition(spec).then((applied) => (journal.phase('fault', `partition ${spec.direction} ${spec.mode}`), applied)),
});
