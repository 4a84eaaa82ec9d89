import { describe, expect, it } from 'vitest';
import { runCampaign, type CampaignResult } from '../../src/fuzz/campaign.js';
import type { TrialOutcome } from '../../src/fuzz/trial-fn.js';
import { describeEvent, type Schedule } from '../../src/schedule/event.js';
import { loadScenario } from '../../src/scenario/load.js';

// A pure predicate stands in for a trial so the order of decisions can be checked exactly: the "bug" is a SIGHUP
// at 500 ms or later. Each fake trial takes a random 0–6 ms, so at width 4 they end out of order.
const outcome = (schedule: Schedule): TrialOutcome =>
  schedule.some((e) => e.kind === 'signal' && e.signal === 'SIGHUP' && e.at >= 500)
    ? { kind: 'fail', signatures: ['alive/died'], failures: [{ oracle: 'alive', verdict: 'fail', kind: 'died', message: 'died' }] }
    : { kind: 'pass' };

async function campaign(parallel: number, seed: number) {
  const scenario = await loadScenario('scenarios/hup-unhandled.yml');
  let running = 0;
  let most = 0;
  const judged: string[] = [];
  const trial = async (schedule: Schedule): Promise<TrialOutcome> => {
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, Math.random() * 6));
    running--;
    judged.push(JSON.stringify(schedule));
    return outcome(schedule);
  };
  const result = await runCampaign(scenario, () => trial, { parallel, seed, runs: 60, budgetMs: 60_000, confirmRuns: 4 });
  return { result, most, judged };
}

const minimal = (r: CampaignResult) => (r.summary.outcome.kind === 'failed' ? r.summary.outcome.minimal.map(describeEvent) : null);

describe('parallel exploration', () => {
  it('runs the schedules exploring meets next at once, and reaches the same minimal schedule as one at a time', async () => {
    for (const seed of [1, 2, 3]) {
      const one = await campaign(1, seed);
      const four = await campaign(4, seed);
      expect(one.most).toBe(1);
      // P at once, and briefly up to 2P − 1 while a first failure's estimate starts beside the trials run ahead.
      expect(four.most).toBeGreaterThanOrEqual(4);
      expect(four.most).toBeLessThanOrEqual(7);
      expect(one.result.summary.outcome.kind).toBe('failed');
      expect(minimal(four.result)).toEqual(minimal(one.result));
      const o1 = one.result.summary.outcome;
      const o4 = four.result.summary.outcome;
      if (o1.kind !== 'failed' || o4.kind !== 'failed') throw new Error('both must fail');
      expect(o4.original).toEqual(o1.original);
      expect(o4.shrinkSteps).toBe(o1.shrinkSteps);
      expect(four.result.summary.schedulesTried).toBe(one.result.summary.schedulesTried);
      // Trials run ahead and never asked for are counted, not judged.
      expect(four.result.summary.trialsRun).toBeGreaterThanOrEqual(one.result.summary.trialsRun);
    }
  });

  it('keeps generation order: a passing campaign explores the same schedules at any width', async () => {
    const scenario = await loadScenario('scenarios/hup-unhandled.yml');
    const judgedAt = async (parallel: number) => {
      const asked: string[] = [];
      const trial = async (schedule: Schedule): Promise<TrialOutcome> => {
        await new Promise((r) => setTimeout(r, Math.random() * 4));
        asked.push(JSON.stringify(schedule));
        return { kind: 'pass' };
      };
      const { summary } = await runCampaign(scenario, () => trial, { parallel, seed: 7, runs: 25, budgetMs: 60_000 });
      expect(summary.verdict).toBe('pass');
      return { asked: [...new Set(asked)].sort(), tried: summary.schedulesTried };
    };
    const one = await judgedAt(1);
    const three = await judgedAt(3);
    expect(three).toEqual(one);
    expect(one.tried).toBe(25);
  });
});
