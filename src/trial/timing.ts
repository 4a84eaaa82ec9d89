import type { PlayedEvent } from '../schedule/played.js';

/** A distribution in whole microseconds: nearest-rank percentiles. */
export interface Spread {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

/** How precise a trial's signals were: lag from each scheduled instant to the send, gaps within races. */
export interface TrialTiming {
  lagUs: Spread;
  raceGapUs?: Spread;
  /** Who sent them: the timing thread, the event loop (the Docker API path), or both. */
  path: 'timing-thread' | 'event-loop' | 'mixed';
}

export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => Math.round(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!);
  return { p50: rank(0.5), p99: rank(0.99), max: Math.round(sorted.at(-1)!), n: sorted.length };
}

/**
 * The timing of the signals a schedule asked for (a teardown's stop signal is not scheduled): each signal's lag
 * after its own instant (a storm's n-th is due `n × spacing` after the first; a race counts once, by its first
 * signal), and the gaps between consecutive signals of a race. Undefined when no signal was sent.
 */
export function timingOf(events: readonly PlayedEvent[]): TrialTiming | undefined {
  const lags: number[] = [];
  const gaps: number[] = [];
  const paths = new Set<string>();
  for (const e of events) {
    if (e.origin !== 'schedule' || !e.deliveries?.length) continue;
    if (e.sentFrom) paths.add(e.sentFrom);
    const spacing = e.kind === 'storm' ? e.spacing : 0;
    const due = e.kind === 'race' ? e.deliveries.slice(0, 1) : e.deliveries;
    due.forEach((d, i) => lags.push((d.atMs - (e.scheduledMs + i * spacing)) * 1000));
    if (e.kind === 'race') for (let i = 1; i < e.deliveries.length; i++) gaps.push((e.deliveries[i]!.atMs - e.deliveries[i - 1]!.atMs) * 1000);
  }
  const lagUs = spread(lags);
  if (!lagUs) return undefined;
  const raceGapUs = spread(gaps);
  const path = paths.size === 1 ? ([...paths][0] as TrialTiming['path']) : paths.size > 1 ? 'mixed' : 'event-loop';
  return { lagUs, ...(raceGapUs ? { raceGapUs } : {}), path };
}

/** "signals on time: lag p50 12 µs, p99 80 µs, max 95 µs (n=14, timing thread); race gap p50 3 µs, p99 5 µs (n=2)" */
export function describeTiming(t: TrialTiming): string {
  const { lagUs: l, raceGapUs: g } = t;
  const race = g ? `; race gap p50 ${us(g.p50)}, p99 ${us(g.p99)} (n=${g.n})` : '';
  return `signals on time: lag p50 ${us(l.p50)}, p99 ${us(l.p99)}, max ${us(l.max)} (n=${l.n}, ${t.path.replace('-', ' ')})${race}`;
}

const us = (n: number): string => (Math.abs(n) < 10_000 ? `${n} µs` : `${(n / 1000).toFixed(1)} ms`);
