import { constants } from 'node:os';

export type SignalName = NodeJS.Signals;

const NUMBERS = constants.signals as Record<string, number>;

export const isSignalName = (name: string): name is SignalName => name in NUMBERS;

export const signalNumber = (name: SignalName): number => NUMBERS[name]!;

export const signalName = (num: number): SignalName | undefined =>
  Object.entries(NUMBERS).find(([, n]) => n === num)?.[0] as SignalName | undefined;

/** Accepts "SIGTERM", "TERM" or "15" (docker-compose stop_signal accepts all three). */
export function normalizeSignal(value: string | number): SignalName | undefined {
  if (typeof value === 'number' || /^\d+$/.test(value)) return signalName(Number(value));
  const upper = value.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return isSignalName(name) ? name : undefined;
}

export const validSignalNames = (): string => Object.keys(NUMBERS).join(', ');

/** The status a shell or Docker reports for a process killed by `signal`: 128 + n. */
export const statusForSignal = (signal: SignalName): number => 128 + signalNumber(signal);
