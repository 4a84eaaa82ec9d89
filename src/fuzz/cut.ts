import type { CampaignCut, TrialDuration } from '../report/fuzz-report.js';
import type { Cuts } from './property-state.js';

/** Where a campaign stood when it ended, as far as the budget goes. */
export interface CampaignEnd {
  /** The outcome passed (nothing failed). */
  passed: boolean;
  schedulesTried: number;
  /** The most schedules to explore; undefined: until the budget is spent (so the budget ending exploring cuts nothing). */
  runs: number | undefined;
  budgetMs: number;
  /** The phases the property's budget cut short. */
  cuts: Cuts;
  /** Confirmation runs of the chosen schedule, once confirmation began. */
  confirmRuns?: { done: number; planned: number } | undefined;
  /** The slowest trial: every later start was judged by it, so a cut names it. */
  slowest?: TrialDuration | undefined;
}

/** What the budget cut short, if anything (an interrupt is not a cut: the report says `interrupted`). */
export function cutOf(end: CampaignEnd): CampaignCut | undefined {
  const { schedulesTried: tried, runs, cuts } = end;
  const confirming = end.confirmRuns && end.confirmRuns.done < end.confirmRuns.planned ? end.confirmRuns : undefined;
  const phase: CampaignCut['phase'] | undefined =
    end.passed && runs !== undefined && tried < runs && cuts.explore
      ? 'exploring'
      : cuts.estimate
        ? 'estimating'
        : cuts.shrink
          ? 'shrinking'
          : confirming
            ? 'confirming'
            : undefined;
  if (!phase) return undefined;
  const parts = [
    phase === 'exploring' ? `${tried} of ${runs} schedules tried` : undefined,
    phase === 'estimating' ? 'the first failure was re-run fewer than 3 times' : undefined,
    cuts.shrink ? 'shrinking was cut: the schedule is the smallest found so far' : undefined,
    confirming ? `confirmation ran ${confirming.done} of ${confirming.planned} runs` : undefined,
    end.slowest ? `the slowest trial took ${formatSeconds(end.slowest.ms)} (trial ${end.slowest.n}, ${end.slowest.phase})` : undefined,
  ].filter(Boolean);
  return {
    phase,
    reason: 'budget',
    ...(phase === 'exploring' && runs !== undefined ? { schedules: { done: tried, planned: runs } } : {}),
    ...(confirming ? { confirmRuns: confirming } : {}),
    ...(end.slowest ? { slowestTrial: end.slowest } : {}),
    message: `budget of ${formatSeconds(end.budgetMs)} spent while ${phase}: ${parts.join('; ')}`,
  };
}

const formatSeconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
