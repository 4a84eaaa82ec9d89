import { serviceOf } from '../schedule/event.js';
import type { PlayedEvent } from '../schedule/played.js';
import { isTerminating } from '../scenario/terminating.js';
import type { SignalName } from '../signals.js';
import { stopModelNamed } from '../stop-models/registry.js';
import type { TrialRecord } from '../trial/record.js';

/** One signal as it reached the target: a plain signal event, or one of a storm's or a race's. */
export interface SignalDelivery {
  signal: SignalName;
  deliveredMs: number;
  origin: PlayedEvent['origin'];
  /** Index of its event in `record.events` (-1: the stop request of a stop model's hook, no event of its own). */
  event: number;
  /** How messages name it, when not by its signal alone. */
  label?: string;
}

/** "SIGTERM", or what stood for it ("the systemd stop (its hook at +300 ms)"). */
export const nameOf = (d: Pick<SignalDelivery, 'signal' | 'label'>): string => d.label ?? d.signal;

/** Every signal delivered to the target during the trial (not those to its dependencies), in delivery order. */
export function signalDeliveries(record: Pick<TrialRecord, 'events'>): SignalDelivery[] {
  return record.events
    .flatMap((e, event) => serviceOf(e) !== undefined ? [] : (e.deliveries ?? []).map((d) => ({ signal: d.signal, deliveredMs: d.atMs, origin: e.origin, event })))
    .sort((a, b) => a.deliveredMs - b.deliveredMs);
}

/** A signal the scenario says must stop the target (SIGKILL always does). */
export const isTerminatingIn = (record: Pick<TrialRecord, 'expect'>, signal: string): boolean => isTerminating(record.expect, signal);

/**
 * The first delivered signal that the scenario says must stop the target; or, when a stop model ran a hook before
 * any (systemd's ExecStop, a Kubernetes preStop), the hook's start: hooks often signal the target themselves
 * (`kill -QUIT $MAINPID`, `nginx -s quit`), unseen by sigstorm, so from then on the target is being stopped, and is
 * judged as its stop signal says.
 */
export function firstTerminating(record: Pick<TrialRecord, 'events' | 'expect'> & Partial<Pick<TrialRecord, 'stop' | 'stopSignal'>>): SignalDelivery | undefined {
  const first = signalDeliveries(record).find((d) => isTerminatingIn(record, d.signal));
  const hook = record.stop?.steps.find((s) => s.step === 'hook-start');
  if (!hook || !record.stopSignal || (first && first.deliveredMs <= hook.atMs)) return first;
  return { signal: record.stopSignal, deliveredMs: hook.atMs, origin: 'stop', event: -1, label: `the ${record.stop!.model} stop (its hook at +${Math.round(hook.atMs)} ms)` };
}

/**
 * The exit is the default action of this signal: status 128 + n, or 2 from Go as PID 1 in a container, where the
 * kernel ignores the default action and Go's runtime exits with 2 instead (nothing printed after the signal; a panic
 * or fatal error is a crash, not this).
 */
export function endedByDefault(record: Pick<TrialRecord, 'exit' | 'logs' | 'backend'>, d: Pick<SignalDelivery, 'signal' | 'deliveredMs'>): boolean {
  const { exit } = record;
  if (exit.signal === d.signal || describeStatus(exit.status).endsWith(`(${d.signal})`)) return true;
  return exit.status === 2 && record.backend !== 'process' && record.logs.every((l) => l.atMs <= d.deliveredMs);
}

/** Who sent the final SIGKILL: the orchestrator the stop model plays, or sigstorm (docker stop, and what was left). */
export function killer(record: Pick<TrialRecord, 'stop'>): string {
  const stop = record.stop;
  if (!stop || !stop.steps.some((s) => s.step === 'final-kill')) return 'sigstorm';
  return stopModelNamed(stop.model)?.killer ?? 'sigstorm';
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
