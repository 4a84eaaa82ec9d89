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
// widened to 100 ms), and its fixed twin. Every time asserted is one the record measured.

const bug = 'test/fixtures/request-anchors/transfer-wide.yml';
const fixed = 'test/fixtures/request-anchors/transfer-wide-fixed.yml';
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-request-anchors-'));
// SIGTERM 10 ms after the second transfer request was written to its connection: while that transfer is in flight.
const schedule = parseSchedule([{ at: 10, signal: 'SIGTERM', after: { request: 2, path: '/transfer' } }], 'test');

/** The anchored event as played, and the request it was timed from, as the ledger recorded it. */
function anchored(record: TrialRecord) {
  const played = record.events.find((e) => anchorOf(e))!;
  const request = record.ledger.find((e) => e.id === played.anchorRequest)!;
  const transfers = record.ledger.filter((e) => e.path === '/transfer');
  return { played, request, transfers };
}

describe('a signal timed from a request', () => {
  it('hits the transfer in flight: the seeded bug dies by it, and the report replays it', async () => {
    const { report, reportPath } = await run(bug, { backend: 'process', schedule, reportDir });
    expect(report.verdict).toBe('fail');
    expect(report.failures.map((f) => `${f.oracle}/${f.kind}`)).toContain('exit-status/wrong-status');
    const record = report.trial!;
    expect(record.exit.status).toBe(143);
    const { played, request, transfers } = anchored(record);
    // timed from the second transfer: sent after the first, the signal 10 ms after it was written, before its answer
    expect(request.path).toBe('/transfer');
    expect(transfers.indexOf(request)).toBe(1);
    expect(played.anchorMs!).toBeGreaterThanOrEqual(request.sentMs);
    expect(played.scheduledMs).toBeCloseTo(played.anchorMs! + 10, 6);
    expect(played.deliveredMs!).toBeGreaterThanOrEqual(played.scheduledMs);
    expect(played.deliveredMs!).toBeLessThan(request.endMs);
    expect(request.outcome).not.toBe('ok'); // killed half-way through it
    // the copy-pasteable command plays it again, anchor and all
    expect(report.replay).toContain(`--events '[{"at":10,"after":{"request":2,"path":"/transfer","phase":"sent","within":10000}`);

    const again = await replay(reportPath, { times: 3, parallel: 1 });
    expect(again.schedule).toEqual([{ at: 10, kind: 'signal', signal: 'SIGTERM', to: 'main', after: { request: 2, path: '/transfer', phase: 'sent', within: 10_000 } }]);
    expect(again.reproduction.failed).toBeGreaterThanOrEqual(1); // a 100 ms window 10 ms in: all but a stalled machine
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
    expect(request.outcome).toBe('ok'); // …and answered all the same
    expect(twin.passing!.exit.status).toBe(0);
  });
});
