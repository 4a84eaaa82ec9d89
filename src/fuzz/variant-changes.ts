import { anchorOf, describeEvent, type FaultEvent } from '../schedule/event.js';
import type { Neighbourhood } from './neighbourhood.js';
import type { Variant } from './variant.js';

// What a variant changes in the original, in words (pure): amplify's report and progress lines name each change.

/** The event by what it is, without its time or the parameters a variant moves: "SIGTERM→main", "storm SIGHUP→main", "stop". */
function eventName(e: FaultEvent): string {
  switch (e.kind) {
    case 'signal':
      return `${e.signal}→${e.to}`;
    case 'race':
      return `race ${e.signals.join('+')}→${e.to}`;
    case 'storm':
      return `storm ${[...new Set(e.signals)].join('/')}→${e.to}`;
    case 'pause':
      return `pause${e.to ? ` ${e.to}` : ''}`;
    case 'partition':
      return `partition${e.between ? ` ${e.between.join('↔')}` : ''}`;
    case 'stop':
      return 'stop';
    case 'unready':
      return `unready ${e.replica}`;
    case 'rollout':
      return 'rollout';
  }
}

/** "length 300 → 600 ms" */
const arrow = (what: string, a: unknown, b: unknown, unit = '') => `${what} ${String(a)} → ${String(b)}${unit}`;

/** The parameters of `e` that `f` (of the same kind) holds otherwise, one phrase each. */
function parameterChanges(e: FaultEvent, f: FaultEvent, space?: Pick<Neighbourhood, 'endpointLag'>): string[] {
  const out: string[] = [];
  const field = <K extends string>(key: K, what: string, unit = '') => {
    const a = (e as Record<string, unknown>)[key];
    const b = (f as Record<string, unknown>)[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(arrow(what, Array.isArray(a) ? a.join('+') : a, Array.isArray(b) ? b.join('+') : b, unit));
  };
  if (e.kind === 'stop' && f.kind === 'stop' && e.endpoint_delay !== f.endpoint_delay) {
    const lag = (ms: number | undefined) => (ms !== undefined ? `${ms}` : space?.endpointLag ? `the model's ${space.endpointLag.modelMs}` : "the model's");
    out.push(arrow('endpoints lag', lag(e.endpoint_delay), lag(f.endpoint_delay), ' ms'));
  }
  field('duration', 'length', ' ms');
  field('direction', 'direction');
  field('mode', 'mode');
  field('count', 'count');
  field('spacing', 'spacing', ' ms');
  if (e.kind === 'race') field('signals', 'order');
  field('to', 'recipient');
  const [ea, fa] = [anchorOf(e), anchorOf(f)];
  if (ea && fa && 'request' in ea && 'request' in fa) {
    if (ea.request !== fa.request) out.push(arrow('timed from request', ea.request, fa.request));
    if (ea.phase !== fa.phase) out.push(arrow('phase', ea.phase, fa.phase));
  }
  if (ea && fa && 'nth' in ea && 'nth' in fa && ea.nth !== fa.nth) out.push(arrow('file' in ea ? 'timed from write' : 'timed from line', ea.nth, fa.nth));
  return out;
}

/**
 * What a variant changes in the original, one change a line: "stop: endpoints lag 275 → 1800 ms", "SIGINT→main at
 * +625 ms instead of +650 ms (earlier by 25 ms)", the workload scale and CPU limit. `space` names the lag a stop
 * event plays when it holds none.
 */
export function describeChanges(original: Variant, variant: Variant, space?: Pick<Neighbourhood, 'endpointLag'>): string[] {
  const changes: string[] = [];
  const a = original.schedule;
  const b = variant.schedule;
  if (a.length === b.length && a.every((e, i) => e.kind === b[i]!.kind)) {
    for (const [i, e] of a.entries()) {
      const f = b[i]!;
      const name = eventName(e);
      changes.push(...parameterChanges(e, f, space).map((c) => `${name}: ${c}`));
      if (f.at !== e.at) changes.push(`${name} at +${f.at} ms instead of +${e.at} ms (${f.at > e.at ? 'later' : 'earlier'} by ${Math.abs(f.at - e.at)} ms)`);
    }
  } else {
    changes.push(`schedule ${b.map(describeEvent).join('; ')} instead of ${a.map(describeEvent).join('; ')}`);
  }
  if (variant.workloadScale !== original.workloadScale) {
    changes.push(`workload rate and concurrency ×${variant.workloadScale} (instead of ×${original.workloadScale})`);
  }
  if (variant.cpus !== original.cpus) {
    const limit = (cpus: number | undefined) => (cpus === undefined ? 'no CPU limit' : `${cpus} CPU`);
    changes.push(`the target limited to ${limit(variant.cpus)} (instead of ${limit(original.cpus)})`);
  }
  return changes;
}
