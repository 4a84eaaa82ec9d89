import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/oracles/judge.js';
import { UNANSWERED_CLOSE_MS } from '../../src/oracles/lost-requests.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import { run } from '../../src/session/run.js';
import type { TrialRecord } from '../../src/trial/record.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';

// The pre-forking zoo pair (Python, process backend): a SIGTERM soon after a request went out. /slow is sent every
// 50 ms from readiness and takes 200 ms, so with SIGTERM at +480 ms the request sent at +450 ms is in a worker's hands,
// about 30 ms old, when the signal lands. Which requests were sent 10-48 ms before the signal is read from the record's
// own spans, never assumed: a trial whose loop sent none there (a stalled machine) is run again, up to three times.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-refusal-'));
const schedule = parseSchedule([{ at: 480, signal: 'SIGTERM' }], 'test');

const signalAt = (r: TrialRecord) => r.events[0]!.deliveredMs!;
/**
 * Sent 10-48 ms before the signal and closed with no byte of an answer within 50 ms of being sent: what the 50 ms rule
 * calls a refusal (on a busy machine the killed worker's socket may close later; such a request is not one of them).
 */
const young = (r: TrialRecord): LedgerEntry[] =>
  r.ledger.filter(
    (e) =>
      e.outcome === 'reset' &&
      e.firstByteMs === undefined &&
      signalAt(r) - e.sentMs >= 10 &&
      signalAt(r) - e.sentMs <= 48 &&
      e.endMs - e.sentMs < UNANSWERED_CLOSE_MS,
  );

describe('refusal versus loss from the target socket table: the pre-forking zoo pair', () => {
  it('judges a request a killed worker had taken up lost, however young (the 50 ms rule alone called it a refusal)', async () => {
    // Young requests a worker had taken up, as the lost-requests failure lists them. On a busy machine a young one may
    // still wait in the listen queue (every worker busy): then the table says it was never taken up, a refusal.
    const takenUp = (report: Awaited<ReturnType<typeof run>>['report']) => {
      const failure = report.failures.find((f) => f.oracle === 'lost-requests');
      const lost = (failure?.evidence?.lost ?? []) as { id: number; decided?: string }[];
      return young(report.trial!).flatMap((e) => lost.filter((l) => l.id === e.id));
    };
    let report;
    for (let i = 0; i < 3; i++) {
      ({ report } = await run('scenarios/prefork-kill-workers.yml', { backend: 'process', reportDir, schedule }));
      if (takenUp(report).length > 0) break;
    }
    const record = report!.trial!;
    const lostYoung = takenUp(report!);
    expect(lostYoung.length, 'a request sent 10-48 ms before the signal and lost, in three trials').toBeGreaterThan(0);
    expect(record.sockets?.snapshots.some((s) => s.at === 'before')).toBe(true);
    const failure = report!.failures.find((f) => f.oracle === 'lost-requests')!;
    expect(failure.kind).toBe('in-flight-lost');
    expect(failure.diagnosis?.id).toBe('workers-killed');
    // lost because the table shows the target had it, not by the fallback
    for (const l of lostYoung) expect(l.decided).toMatch(/^taken up: (read|accepted|closed by the target) /);
    // The same record without the table: the fallback calls those young requests refusals, and says it decided.
    const withoutTable = judge({ ...record, sockets: undefined }).results.find((r) => r.oracle === 'lost-requests')!;
    const lostThen = ((withoutTable.evidence?.lost ?? []) as { id: number }[]).map((l) => l.id);
    for (const l of lostYoung) expect(lostThen).not.toContain(l.id);
  });

  it('passes the graceful twin under the same schedule, its sockets read before, at and after the signal', async () => {
    const { report } = await run('scenarios/prefork-kill-workers-fixed.yml', { backend: 'process', reportDir, schedule });
    expect(report.failures).toEqual([]);
    const result = report.results.find((r) => r.oracle === 'lost-requests')!;
    expect(result.verdict).toBe('pass');
    expect(report.trial!.sockets?.snapshots.length).toBeGreaterThan(1);
  });
});
