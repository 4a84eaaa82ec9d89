import { describeHeld, type PlayedEvent } from '../schedule/played.js';
import type { LedgerEntry } from '../workload/ledger.js';

/** An event's label on the timeline: what it was, `(stop)` when the stop sent it, ✗ when it was not delivered. */
export function shortLabel(e: PlayedEvent): string {
  const stop = e.origin === 'teardown' || e.origin === 'stop' ? ' (stop)' : '';
  const missed = e.deliveredMs === undefined ? ' ✗' : '';
  // A replica's fault names its replica (a rollout's record holds them all).
  const replica = 'replica' in e && e.replica !== undefined && e.kind !== 'unready' ? `${e.replica} ` : '';
  return `${replica}${label(e, stop, missed)}`;
}

function label(e: PlayedEvent, stop: string, missed: string): string {
  switch (e.kind) {
    case 'signal':
      return `${e.signal}→${e.to}${stop}${missed}`;
    case 'race':
      return `race ${e.signals.join('+')}${stop}${missed}`;
    case 'storm':
      return `storm ${e.count}× ${[...new Set(e.signals)].join('/')}${missed}`;
    case 'pause':
      return `pause ${e.duration} ms${missed}`;
    case 'partition':
      return `partition ${e.direction} ${e.duration} ms${missed}`;
    case 'stop':
      return `stop begins${e.endpoint_delay !== undefined ? ` (endpoints lag ${Math.round(e.endpoint_delay)} ms)` : ''}${missed}`;
    case 'unready':
      return `${e.replica} unready ${e.duration} ms${missed}`;
    case 'rollout':
      return `rollout of ${e.replicas}`;
  }
}

/** The hover text of one event: its label, when it was scheduled, delivered (or why not) and healed. */
export function describePlayed(e: PlayedEvent): string {
  const when = e.deliveredMs !== undefined ? `delivered +${Math.round(e.deliveredMs)} ms${e.via ? ` via ${e.via}` : ''}` : `not delivered: ${e.error ?? 'unknown'}`;
  const held = describeHeld(e);
  const healed = e.healedMs !== undefined ? `, healed +${Math.round(e.healedMs)} ms${held ? ` (${held})` : ''}` : '';
  return `${shortLabel(e)}: scheduled +${Math.round(e.scheduledMs)} ms, ${when}${healed}${e.pids?.length ? `, pids ${e.pids.join(' ')}` : ''}`;
}

/** The hover text of one operation: what it was (kind and protocol), how it ended (status), and when. */
export function describeRequest(e: LedgerEntry): string {
  const fb = e.firstByteMs !== undefined ? `first byte +${Math.round(e.firstByteMs)} ms, ` : 'no reply byte, ';
  const status = e.code !== undefined ? ` ${e.code}` : e.status !== undefined ? ` ${e.status}` : '';
  const bytes = e.expectedBytes !== undefined ? `, ${e.bytes}/${e.expectedBytes} bytes` : `, ${e.bytes} bytes`;
  const what = [e.protocol ?? 'http', e.kind, e.connection, ...(e.reused ? ['reused'] : [])].join(', ');
  return `#${e.id} ${e.method} ${e.path} (${what}): ${e.outcome}${status} — sent +${Math.round(e.sentMs)} ms, ${fb}end +${Math.round(e.endMs)} ms${bytes}${e.error ? `; ${e.error}` : ''}`;
}

/** The ledger in a few words: `62 request(s)`, or `40 tcp, 12 job(s)` when other kinds are in it. */
export function ledgerSummary(ledger: readonly LedgerEntry[]): string {
  if (ledger.every((e) => !e.protocol)) return `${ledger.length} request(s)`;
  const counts = new Map<string, number>();
  for (const e of ledger) {
    const what = e.kind === 'job' ? 'job(s)' : `${e.protocol ?? 'http'} ${e.kind === 'stream' ? 'stream(s)' : e.kind === 'write' ? 'write(s)' : 'request(s)'}`;
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  return [...counts].map(([what, n]) => `${n} ${what}`).join(', ');
}
