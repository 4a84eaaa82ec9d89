import { serviceOf } from '../schedule/event.js';
import type { PlayedEvent } from '../schedule/played.js';
import { isTerminating } from '../scenario/terminating.js';
import type { SignalName } from '../signals.js';
import type { TrialRecord } from '../trial/record.js';

/** One signal as it reached the target: a plain signal event, or one of a storm's or a race's. */
export interface SignalDelivery {
  signal: SignalName;
  deliveredMs: number;
  origin: PlayedEvent['origin'];
  /** Index of its event in `record.events`. */
  event: number;
}

/** Every signal delivered to the target during the trial (not those to its dependencies), in delivery order. */
export function signalDeliveries(record: Pick<TrialRecord, 'events'>): SignalDelivery[] {
  return record.events
    .flatMap((e, event) => serviceOf(e) !== undefined ? [] : (e.deliveries ?? []).map((d) => ({ signal: d.signal, deliveredMs: d.atMs, origin: e.origin, event })))
    .sort((a, b) => a.deliveredMs - b.deliveredMs);
}

/** A signal the scenario says must stop the target (SIGKILL always does). */
export const isTerminatingIn = (record: Pick<TrialRecord, 'expect'>, signal: string): boolean => isTerminating(record.expect, signal);

/** The first delivered signal that the scenario says must stop the target. */
export function firstTerminating(record: Pick<TrialRecord, 'events' | 'expect'>): SignalDelivery | undefined {
  return signalDeliveries(record).find((d) => isTerminatingIn(record, d.signal));
}

/** Who sent the final SIGKILL: the orchestrator the stop model plays, or sigstorm (docker stop, and what was left). */
export function killer(record: Pick<TrialRecord, 'stop'>): string {
  const stop = record.stop;
  if (!stop || stop.model === 'docker' || !stop.steps.some((s) => s.step === 'final-kill')) return 'sigstorm';
  return { kubernetes: 'the kubelet', systemd: 'systemd', supervisord: 'supervisord' }[stop.model];
}

/** "137 (SIGKILL)" — Docker and shells report death by signal n as 128 + n. */
export function describeStatus(status: number, signalNames: Record<number, string> = SIGNALS): string {
  const signal = status > 128 ? signalNames[status - 128] : undefined;
  return signal ? `${status} (${signal})` : String(status);
}

// Linux numbering; kept here so the oracles stay pure and platform-free.
const SIGNALS: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
};
