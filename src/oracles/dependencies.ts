import { serviceOf } from '../schedule/event.js';
import type { DependencyRecord, TrialRecord } from '../trial/record.js';
import { describeStatus } from './terminating.js';
import type { Oracle, OracleResult } from './verdict.js';

/**
 * The target's dependencies: one nothing signalled must stay up for the whole trial; one that was signalled is
 * judged by what the scenario declared for it under `dependencies.<name>.expect` (nothing, by default).
 */
export const dependencies: Oracle = (record) => (record.dependencies ?? []).map((d) => judgeDependency(record, d));

function judgeDependency(record: TrialRecord, d: DependencyRecord): OracleResult {
  const deliveries = record.events
    .filter((e) => serviceOf(e) === d.name)
    .flatMap((e) => e.deliveries ?? [])
    .sort((a, b) => a.atMs - b.atMs);
  const first = deliveries[0];
  const at = (ms: number) => `${Math.round(ms)} ms after the target was ready`;
  const result = (verdict: 'pass' | 'fail', message: string, kind?: string): OracleResult => ({
    oracle: 'dependencies',
    verdict,
    ...(kind ? { kind } : {}),
    message,
    evidence: { dependency: d.name, exit: d.exit ?? null, signals: deliveries },
  });
  if (d.exit && (!first || first.atMs > d.exit.atMs)) {
    return result('fail', `dependency ${d.name} exited (status ${describeStatus(d.exit.status)}) ${at(d.exit.atMs)}, though nothing signalled it`, 'dependency-exited');
  }
  if (!first) return result('pass', `dependency ${d.name} stayed up`);
  const expectation = d.expect[first.signal];
  if (expectation?.kind !== 'exit') {
    return result('pass', `dependency ${d.name} got ${first.signal} ${at(first.atMs)}${d.exit ? ` and exited ${describeStatus(d.exit.status)}` : ''}; the scenario asks nothing of it`);
  }
  const deadline = first.atMs + expectation.within;
  if (!d.exit) {
    // Watched until the target was gone: a deadline that passed by then was missed.
    return record.exit.atMs > deadline
      ? result('fail', `dependency ${d.name} was still running ${Math.round(record.exit.atMs - first.atMs)} ms after ${first.signal}; expected it to exit within ${expectation.within} ms`, 'dependency-deadline')
      : result('pass', `dependency ${d.name} got ${first.signal}; its deadline had not passed when the trial ended`);
  }
  if (!expectation.exit.includes(d.exit.status)) {
    return result('fail', `dependency ${d.name} exited ${describeStatus(d.exit.status)} after ${first.signal}; expected one of ${expectation.exit.map((s) => describeStatus(s)).join(', ')}`, 'dependency-wrong-status');
  }
  if (d.exit.atMs > deadline) {
    return result('fail', `dependency ${d.name} took ${Math.round(d.exit.atMs - first.atMs)} ms to exit after ${first.signal}; expected at most ${expectation.within} ms`, 'dependency-deadline');
  }
  return result('pass', `dependency ${d.name} exited ${describeStatus(d.exit.status)} ${Math.round(d.exit.atMs - first.atMs)} ms after ${first.signal}, as expected`);
}
