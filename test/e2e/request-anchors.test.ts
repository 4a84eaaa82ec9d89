import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorOf } from '../../src/schedule/event.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import { replay } from '../../src/session/replay.js';
import { run } from '../../src/session/run.js';
import type { TrialRecord } from '../../src/trial/record.js';

// Events timed from a request's phase, against a real process and real traffic: the zoo's Go transfer service, whose
// POST /transfer holds its signals off between its debit and its credit (test/fixtures/request-anchors, the credit
// widened to 300 ms), and its fixed twin. Every time asserted is one the record measured.

const bug = 'test/fixtures/request-anchors/transfer-wide.yml';
const fixed = 'test/fixtures/request-anchors/transfer-wide-fixed.yml';
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-request-anchors-'));
// SIGTERM 100 ms after the second transfer request was written to its connection: while that transfer is in flight
// (its 300 ms credit begins 4 ms after the server took the request up, which a busy machine delays by tens of ms).
const schedule = parseSchedule([{ at: 100, signal: 'SIGTERM', after: { request: 2, path: '/transfer' } }], 'test');

/** The anchored event as played, and the request it was timed from, as the ledger recorded it. */
function anchored(record: TrialRecord) {
  const played = record.events.find((e) => anchorOf(e))!;
  const request = record.ledger.find((e) => e.id === played.anchorRequest)!;
  const transfers = record.ledger.filter((e) => e.path === '/transfer');
  return { played, request, transfers };
}

/** Whether the target had accepted the connection from `localPort` by `atMs`, as the record's last read before then saw. */
function acceptedAt(record: TrialRecord, localPort: number, atMs: number): boolean {
  let conns: NonNullable<NonNullable<TrialRecord['sockets']>['snapshots'][number]['conns']> = [];
  for (const s of record.sockets?.snapshots ?? []) if (s.atMs <= atMs && s.conns) conns = s.conns;
  return conns.some((c) => c.port === localPort && c.accepted);
}

describe('a signal timed from a request', () => {
  it('hits the transfer in flight: the seeded bug dies by it, and the report replays it', async () => {
    const { report, reportPath } = await run(bug, { backend: 'process', schedule, reportDir });
    expect(report.verdict).toBe('fail');
    expect(report.failures.map((f) => `${f.oracle}/${f.kind}`)).toContain('exit-status/wrong-status');
    const record = report.trial!;
    expect(record.exit.status).toBe(143);
    const { played, request, transfers } = anchored(record);
    // timed from the second transfer: sent after the first, the signal 100 ms after it was written, before its answer
    expect(request.path).toBe('/transfer');
    expect(transfers.indexOf(request)).toBe(1);
    expect(played.anchorMs!).toBeGreaterThanOrEqual(request.sentMs);
    expect(played.scheduledMs).toBeCloseTo(played.anchorMs! + 100, 6);
    expect(played.deliveredMs!).toBeGreaterThanOrEqual(played.scheduledMs);
    expect(played.deliveredMs!).toBeLessThan(request.endMs);
    expect(request.outcome).not.toBe('ok'); // killed half-way through it
    // the copy-pasteable command plays it again, anchor and all
    expect(report.replay).toContain(`--events '[{"at":100,"after":{"request":2,"path":"/transfer","phase":"sent","within":10000}`);

    const again = await replay(reportPath, { times: 3, parallel: 1 });
    expect(again.schedule).toEqual([{ at: 100, kind: 'signal', signal: 'SIGTERM', to: 'main', after: { request: 2, path: '/transfer', phase: 'sent', within: 10_000 } }]);
    expect(again.reproduction.failed).toBeGreaterThanOrEqual(1); // a 300 ms window 100 ms in: all but a stalled machine
    expect(anchored(again.record!).played.anchorRequest).toBeDefined();
  });

  it('the fixed twin takes the same signal in the same place, every time, and drains: the transfer in flight is answered', async () => {
    const file = join(reportDir, 'schedule.json');
    writeFileSync(file, JSON.stringify({ scenario: resolve(fixed), backend: 'process', events: schedule }));
    const twin = await replay(file, { times: 3, parallel: 1 });
    expect(twin.reproduction).toMatchObject({ failed: 0, runs: 3 });
    const { played, request } = anchored(twin.passing!);
    expect(played.deliveredMs!).toBeGreaterThan(request.sentMs);
    expect(played.deliveredMs!).toBeLessThan(request.endMs); // in flight when the signal came…
    // …and, once the server had accepted its connection (the record's own reads of its TCP table), answered all the
    // same; one still in the accept queue at the signal is refused by the closed listener, which is not a loss
    // (the trial passed: not counted as lost)
    expect(twin.passing!.sockets?.snapshots.length).toBeGreaterThan(0);
    if (acceptedAt(twin.passing!, request.localPort!, played.deliveredMs!)) expect(request.outcome).toBe('ok');
    expect(twin.passing!.exit.status).toBe(0);
  });
});
