import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/fuzz/budget.js';
import { runCampaign } from '../../src/fuzz/campaign.js';
import { cutOf } from '../../src/fuzz/cut.js';
import type { TrialOutcome } from '../../src/fuzz/trial-fn.js';
import type { Schedule } from '../../src/schedule/event.js';
import { loadScenario } from '../../src/scenario/load.js';

// Fake trials on a fake clock (the flaky.test.ts way): each advances the clock by what it "took", so how the budget
// plans around one slow trial is checked exactly, whatever the machine's load.

const died: TrialOutcome = { kind: 'fail', signatures: ['alive/died'], failures: [{ oracle: 'alive', verdict: 'fail', kind: 'died', message: 'died' }] };
/** The "bug": a SIGHUP at 500 ms or later. */
const fails = (schedule: Schedule) => schedule.some((e) => e.kind === 'signal' && e.signal === 'SIGHUP' && e.at >= 500);

describe('the budget and the slowest trial', () => {
  it('counts a trial still running as the slowest seen, and keeps every duration with its phase', async () => {
    const clock = { ms: 0 };
    let phase: 'exploring' | 'shrinking' = 'exploring';
    const budget = new Budget(0, 60_000, () => clock.ms, () => phase);
    const hang = budget.timed(() => new Promise<void>(() => undefined)); // never ends: a trial run ahead, still going
    await budget.timed(async () => void (clock.ms += 1000));
    expect(budget.longestTrialMs).toBe(1000);
    clock.ms += 29_000;
    // 30 s into the trial still running: nothing may start that would need less than that to end in time.
    expect(budget.longestTrialMs).toBe(30_000);
    expect(budget.fits(60_000)).toBe(true);
    expect(budget.fits(59_999)).toBe(false);
    phase = 'shrinking';
    await budget.timed(async () => void (clock.ms += 2000));
    expect(budget.trials).toEqual([
      { n: 2, phase: 'exploring', ms: 1000 },
      { n: 3, phase: 'shrinking', ms: 2000 },
    ]);
    expect(budget.slowest()).toEqual({ n: 3, phase: 'shrinking', ms: 2000 });
    void hang;
  });

  it('leaves confirmation at least one batch of the slowest trial, even when its share of the budget is less', async () => {
    const clock = { ms: 0 };
    const budget = new Budget(0, 100_000, () => clock.ms);
    await budget.timed(async () => void (clock.ms += 30_000));
    // 10 runs 4 at once need 90 s; a quarter of the budget is 25 s, less than one 30 s batch: 30 s are kept.
    expect(budget.confirmReserveMs(10, 4, 0.25)).toBe(30_000);
    expect(budget.confirmReserveMs(10, 4, 0.5)).toBe(50_000);
    expect(budget.confirmReserveMs(2, 4, 0.5)).toBe(30_000);
  });

  it('names the slowest trial in the cut', () => {
    const cut = cutOf({
      passed: false, schedulesTried: 4, runs: 50, budgetMs: 60_000, cuts: {}, confirmRuns: { done: 1, planned: 10 },
      slowest: { n: 9, phase: 'shrinking', ms: 30_500 },
    });
    expect(cut).toMatchObject({ phase: 'confirming', confirmRuns: { done: 1, planned: 10 }, slowestTrial: { n: 9, phase: 'shrinking', ms: 30_500 } });
    expect(cut!.message).toBe('budget of 60 s spent while confirming: confirmation ran 1 of 10 runs; the slowest trial took 30.5 s (trial 9, shrinking)');
  });

  it('one slow trial while shrinking does not cut confirmation to zero runs', async () => {
    const scenario = await loadScenario('scenarios/hup-unhandled.yml');
    const clock = { ms: 0 };
    // Every trial takes 1 s but the first shrink candidate (the 4th trial after the first failure: 3 re-runs
    // estimate it), which takes 30 s: the Kubernetes stop of the issue, in a 60 s budget.
    let sinceFailure: number | undefined;
    const trial = async (schedule: Schedule): Promise<TrialOutcome> => {
      if (sinceFailure !== undefined) sinceFailure++;
      clock.ms += sinceFailure === 4 ? 30_000 : 1000;
      if (!fails(schedule)) return { kind: 'pass' };
      sinceFailure ??= 0;
      return died;
    };
    const { summary } = await runCampaign(scenario, () => trial, { parallel: 1, seed: 3, runs: 60, budgetMs: 60_000, confirmRuns: 10, clock: () => clock.ms });
    const { outcome } = summary;
    if (outcome.kind !== 'failed') throw new Error(`expected a finding, got ${outcome.kind}`);
    expect(outcome.reproduction.fromEstimate).toBeUndefined();
    expect(outcome.reproduction.runs).toBeGreaterThanOrEqual(1);
    expect(outcome.reproduction.failed).toBe(outcome.reproduction.runs);
    // Every trial's duration is in the report, and the cut names the slow one.
    expect(summary.trialDurations!.length).toBe(summary.trialsRun);
    const slow = summary.trialDurations!.filter((t) => t.ms === 30_000);
    expect(slow).toEqual([expect.objectContaining({ phase: 'shrinking' })]);
    expect(summary.cut?.slowestTrial).toEqual(slow[0]);
    expect(summary.cut?.message).toContain(`the slowest trial took 30 s (trial ${slow[0]!.n}, shrinking)`);
    // The campaign kept its bound: the budget plus at most one trial.
    expect(clock.ms).toBeLessThanOrEqual(60_000 + 30_000);
  });
});
