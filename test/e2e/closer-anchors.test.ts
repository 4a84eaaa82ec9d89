import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closerAnchors, writeMarks } from '../../src/fuzz/closer-anchors.js';
import { anchorOf, isFileAnchor } from '../../src/schedule/event.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import { run } from '../../src/session/run.js';
import type { TrialRecord } from '../../src/trial/record.js';

// Closer anchors against a real process: the zoo's Go transfer service with its credit widened to 300 ms
// (test/fixtures/request-anchors), a SIGTERM timed from the second transfer request. The record keeps the writes the
// data directory's watch read; the signal re-timed from the write nearest before it (the transfer's debit) is a
// schedule that plays, finds that write again and kills the transfer between its steps. Every time asserted is one
// the records measured.

const bug = 'test/fixtures/request-anchors/transfer-wide.yml';
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-closer-anchors-'));
const schedule = parseSchedule([{ at: 100, signal: 'SIGTERM', after: { request: 2, path: '/transfer' } }], 'test');
const space = { step: 100, horizon: 1500, horizonMax: 10_000 }; // reach: 200 ms before the signal (a 300 ms credit)

const secondTransfer = (record: TrialRecord) => record.ledger.filter((e) => e.path === '/transfer')[1]!;

describe('a signal re-timed from the write nearest before it', () => {
  it('is proposed from the record of a failing trial, and replays from that write', async () => {
    const { report } = await run(bug, { backend: 'process', schedule, reportDir });
    expect(report.verdict).toBe('fail');
    const record = report.trial!;
    expect(record.exit.status).toBe(143);
    // the watch saw the journal written: debit 1, its credit 300 ms later, debit 2 after the second request was sent
    const marks = writeMarks(record.writes ?? [], space).filter((m) => isFileAnchor(m.after) && m.after.file === 'transfers.log');
    const request = secondTransfer(record);
    const debit = marks.find((m) => m.atMs >= request.sentMs)!;
    expect(debit).toBeDefined();
    const delivered = record.events.find((e) => anchorOf(e))!.deliveredMs!;
    expect(debit.atMs).toBeLessThanOrEqual(delivered);

    const proposals = closerAnchors(schedule, record, space);
    const retimed = proposals.map((s) => s[0]!).find((e) => e.at === Math.floor(delivered - debit.atMs));
    expect(retimed).toBeDefined();
    expect(anchorOf(retimed!)).toEqual(debit.after);

    const again = await run(bug, { backend: 'process', schedule: [retimed!], reportDir });
    expect(again.report.verdict).toBe('fail');
    const replayed = again.report.trial!;
    expect(replayed.exit.status).toBe(143);
    const played = replayed.events.find((e) => anchorOf(e))!;
    // timed from the second transfer's debit (read by the watch thread, which sent the signal): after its request was
    // sent, and before the transfer's end (it never got its credit)
    expect(played.anchorMs!).toBeGreaterThanOrEqual(secondTransfer(replayed).sentMs);
    expect(played.anchorMs!).toBeLessThan(secondTransfer(replayed).endMs);
    expect(secondTransfer(replayed).outcome).not.toBe('ok');
    expect(played.scheduledMs).toBeCloseTo(played.anchorMs! + retimed!.at, 6);
  });
});
