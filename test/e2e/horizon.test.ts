import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorOf } from '../../src/schedule/event.js';
import { replay } from '../../src/session/replay.js';
import { lifeEnd } from '../../src/fuzz/activity.js';
import { runCampaign } from '../../src/fuzz/campaign.js';
import type { TrialFn } from '../../src/fuzz/trial-fn.js';
import { newRunId } from '../../src/run-id.js';
import { openScenario, prepare } from '../../src/session/open.js';
import { trialFunction } from '../../src/session/trial.js';
import type { TrialRecord } from '../../src/trial/record.js';

// Time the way the target lives, against a real process: a Node service that prints nothing but `ready` until it
// renews its lease 2 s later (test/fixtures/horizon/lease.mjs). Every assertion reads the trials' records.

/** A campaign of `path` at `seed`, keeping every trial's record. */
async function campaign(path: string, seed: number, runs: number) {
  const session = await openScenario(path, 'process');
  await prepare(session);
  const records: TrialRecord[] = [];
  const runId = newRunId();
  const { summary } = await runCampaign(
    session.scenario,
    (signal, onFatal): TrialFn => {
      const run = trialFunction(session, runId, signal, onFatal);
      return async (schedule) => {
        const outcome = await run(schedule);
        if (outcome.kind !== 'infrastructure' && outcome.record) records.push(outcome.record);
        return outcome;
      };
    },
    { seed, runs, parallel: 1, budgetMs: 180_000 },
  );
  return { summary, records };
}

describe('the adaptive horizon', () => {
  it('grows when a scouting trial sees the target renew its lease after 1.5 s, and later trials play events there', async () => {
    // Seed 1 draws a schedule that scouts past 2 s within its first 20 (its 11th) (seen with a stand-in trial function: the draws
    // depend on the seed and what the records show, not on the target's timing).
    const { summary, records } = await campaign('test/fixtures/horizon/late-lease-fixed.yml', 1, 20);
    expect(summary.verdict).toBe('pass');
    // A trial whose target lived past 2 s undisturbed, and printed the renewal while it did…
    const saw = records.filter((r) => r.logs.some((l) => l.text === 'renewing lease' && l.atMs < lifeEnd(r)));
    expect(saw.length).toBeGreaterThan(0);
    // …grew the horizon to cover it (+ 8 steps), from the line the record holds.
    const h = summary.horizon!;
    expect(h.initialMs).toBe(1500);
    expect(h.grewFor?.what).toMatch(/^log "(renewing lease|lease renewed)"$/);
    const line = saw[0]!.logs.find((l) => l.text === 'renewing lease')!;
    expect(h.grewFor!.atMs).toBeGreaterThanOrEqual(line.atMs);
    expect(h.finalMs).toBeGreaterThanOrEqual(h.grewFor!.atMs + 200);
    // Trials after it played their events later than the default horizon.
    const grewAt = records.indexOf(saw[0]!);
    const late = records.slice(grewAt + 1).filter((r) => r.events.some((e) => e.origin === 'schedule' && (e.deliveredMs ?? 0) > 1500));
    expect(late.length).toBeGreaterThan(0);
    expect(h.scoutMs).toBe(Math.min(h.maxMs, 2 * h.finalMs));
  });
});

describe('anchored events', () => {
  // The seeded twin exits 1 when stopped during its 20 ms renewal (`renewing lease` … `lease renewed`): a window
  // no plain time hits but by luck, and that an event timed from its line hits on purpose.
  const scheduleFile = (events: unknown[]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'sigstorm-anchor-')), 'schedule.json');
    writeFileSync(file, JSON.stringify({ scenario: resolve('test/fixtures/horizon/late-lease.yml'), backend: 'process', events }));
    return file;
  };
  const anchored = [{ at: 2, signal: 'SIGTERM', after: { log: 'renewing lease' } }];

  it('replays SIGTERM 2 ms after the line `renewing lease`: the seeded bug fails, the fixed twin passes every time', async () => {
    const file = scheduleFile(anchored);
    const bug = await replay(file, { times: 4, parallel: 1 });
    expect(bug.schedule).toEqual([{ at: 2, kind: 'signal', signal: 'SIGTERM', to: 'main', after: { log: 'renewing lease', nth: 1, within: 10_000 } }]);
    expect(bug.reproduction.failed).toBeGreaterThanOrEqual(1); // a 20 ms window a few ms after a line read: all but a stalled machine
    expect(bug.failures.map((f) => `${f.oracle}/${f.kind}`)).toContain('exit-status/wrong-status');
    // The record says when the line was read, and the signal went 2 ms after it, while the renewal was under way.
    const record = bug.record!;
    const played = record.events.find((e) => anchorOf(e))!;
    const line = record.logs.find((l) => l.text === 'renewing lease')!;
    expect(played.anchorMs).toBeCloseTo(line.atMs, 6);
    expect(played.scheduledMs).toBeCloseTo(line.atMs + 2, 6);
    expect(played.sentFrom).toBe('timing-thread'); // released by the watch thread that read the line
    expect(played.deliveredMs!).toBeGreaterThanOrEqual(played.scheduledMs);
    expect(record.logs.some((l) => l.text === 'lost the lease mid-renewal')).toBe(true);
    expect(record.exit.status).toBe(1);

    const fixed = await replay(file, { times: 4, parallel: 1, scenario: 'test/fixtures/horizon/late-lease-fixed.yml' });
    expect(fixed.reproduction).toMatchObject({ failed: 0, runs: 4 });
    const fixedPlayed = fixed.passing!.events.find((e) => anchorOf(e))!;
    expect(fixedPlayed.deliveredMs!).toBeGreaterThan(1500); // played after the default horizon, from its line
  });

  it('replays SIGTERM 2 ms after the snapshot file is written: the silent flush’s bug fails, its fixed twin passes every time', async () => {
    // The Python service prints nothing when it flushes (test/fixtures/file-anchor): what shows is the file it writes.
    const file = join(mkdtempSync(join(tmpdir(), 'sigstorm-anchor-')), 'schedule.json');
    const events = [{ at: 2, signal: 'SIGTERM', after: { file: 'snapshot' } }];
    writeFileSync(file, JSON.stringify({ scenario: resolve('test/fixtures/file-anchor/snapshot.yml'), backend: 'process', events }));
    const bug = await replay(file, { times: 4, parallel: 1 });
    expect(bug.schedule).toEqual([{ at: 2, kind: 'signal', signal: 'SIGTERM', to: 'main', after: { file: 'snapshot', nth: 1, within: 10_000 } }]);
    expect(bug.reproduction.failed).toBeGreaterThanOrEqual(1); // a 20 ms window 2 ms after a write is seen: all but a stalled machine
    expect(bug.failures.map((f) => `${f.oracle}/${f.kind}`)).toContain('exit-status/wrong-status');
    const record = bug.record!;
    const played = record.events.find((e) => anchorOf(e))!;
    expect(played.anchorMs!).toBeGreaterThan(0); // the first flush, a second after it began listening
    expect(played.scheduledMs).toBeCloseTo(played.anchorMs! + 2, 6);
    expect(played.deliveredMs!).toBeGreaterThanOrEqual(played.scheduledMs);
    expect(played.sentFrom).toBe('timing-thread'); // released by the watch thread that read the write
    expect(record.exit.status).toBe(143); // killed mid-flush by the signal's default action: no drain

    const fixed = await replay(file, { times: 4, parallel: 1, scenario: 'test/fixtures/file-anchor/snapshot-fixed.yml' });
    expect(fixed.reproduction).toMatchObject({ failed: 0, runs: 4 });
    const fixedPlayed = fixed.passing!.events.find((e) => anchorOf(e))!;
    expect(fixedPlayed.deliveredMs!).toBeGreaterThanOrEqual(fixedPlayed.anchorMs!); // played, after its write
  });
});
