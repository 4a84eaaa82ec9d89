import type { Schedule } from '../schedule/event.js';
import type { OracleResult } from '../oracles/verdict.js';
import type { CoverageNote } from '../scenario/coverage.js';
import type { TrialRecord } from '../trial/record.js';
import type { ReportHeader } from './report.js';

// The report.json of one `fuzz` campaign. Plain data: the campaign fills it, every output format reads it.

export interface Reproduction {
  failed: number;
  runs: number;
  rate: number;
  interval: { low: number; high: number };
  /** The budget left no time to confirm: these are the first failure's estimate runs (the same schedule). */
  fromEstimate?: boolean;
}

/**
 * `replay --against`: a finding's recorded reproduction beside the rate of the same schedule now, and what the two
 * decide (src/fuzz/fix.ts says how).
 */
export interface FixCheck {
  before: Reproduction;
  now: Reproduction;
  decision: 'fixed' | 'still-failing' | 'undecided';
  /** No failure now: the one-sided 95% upper bound on the rate now. */
  upperBound?: number;
  /** Undecided: clean runs still needed before it can say fixed. */
  moreRuns?: number;
  /** The decision in one sentence: "fixed: 0/60 now vs 9/10 before (…)". */
  message: string;
}

/** The outcome of a campaign (a tagged union, like fast-check's RunDetails). */
export type FuzzOutcome =
  | { kind: 'passed' }
  | {
      kind: 'failed';
      signature: string;
      minimal: Schedule;
      original: Schedule;
      shrinkSteps: number;
      /** How often the minimal schedule reproduced in confirmation. */
      reproduction: Reproduction;
      /**
       * How often the first failing schedule (`original`) reproduced: its estimate when it was found (the first
       * failure and its re-runs, `fromEstimate`), joined by its own confirmation runs when the minimal schedule did not
       * fail every time and was held to it. The minimal schedule was chosen to reproduce about as often.
       */
      originalReproduction?: Reproduction;
      failures: OracleResult[];
      /** Smaller schedules met while shrinking that did not fail again in confirmation. */
      notReproduced?: Schedule[];
      /** Smaller schedules that failed again in confirmation, but clearly less often than the first failing one: passed over. */
      lessReliable?: { schedule: Schedule; reproduction: Reproduction }[];
    }
  | { kind: 'interrupted' };

/** A failure met on the way: its first schedule, and how often its first re-runs reproduced it. */
export interface Finding {
  signature: string;
  schedule: Schedule;
  failures: OracleResult[];
  /** Failed k of n re-runs when first seen. */
  reproduced: { k: number; n: number };
  confirmed: boolean;
}

/** How long one trial of a campaign took: the `n`-th started, while the campaign was in `phase`. */
export interface TrialDuration {
  n: number;
  phase: 'exploring' | 'estimating' | 'shrinking' | 'confirming' | 'amplifying';
  ms: number;
}

/** What the budget cut short (the first phase it cut, and how much of confirmation ran). */
export interface CampaignCut {
  phase: 'exploring' | 'estimating' | 'shrinking' | 'confirming';
  reason: 'budget';
  schedules?: { done: number; planned: number };
  confirmRuns?: { done: number; planned: number };
  /** The slowest trial of the campaign: what the budget expected every later trial (or batch) to take. */
  slowestTrial?: TrialDuration;
  /** The same, as one sentence for people. */
  message: string;
}

/**
 * Where a campaign drew event times (ms after readiness): the fault space's horizon, where it ended after growing to
 * cover the target's latest new activity (`grewFor`), how far it may grow (`faults.horizon_max`), and how far a share
 * of times scouted past it at the end (= `finalMs`: not scouting).
 */
export interface HorizonSummary {
  initialMs: number;
  finalMs: number;
  maxMs: number;
  scoutMs: number;
  /** The activity the final horizon covers: when it was first seen, and what it was (`log "lease renewed"`). */
  grewFor?: { atMs: number; what: string };
}

/**
 * A guided campaign's corpus (src/fuzz/corpus.ts): how many schedules explored were mutations of its entries, how
 * many entries it held at the end, the share of draws taken from it and how many runs late a draw sees it, whether
 * the first failure was one of its draws, and what the first entries showed that was new (fault cells left out).
 */
export interface GuidedSummary {
  fromCorpus: number;
  corpus: number;
  share: number;
  lag: number;
  /** Whether the first confirmed failure was a schedule drawn from the corpus (absent: no failure). */
  firstFailureFromCorpus?: boolean;
  novel: { run: number; novel: string[] }[];
}

/**
 * How much of the fault space the schedules tried covered: one cell per (event kind × time on the `step` grid, from
 * readiness to the horizon), src/fuzz/fault-cells.ts. Events timed from spawn are not counted.
 */
export interface ExploredCells {
  /** Distinct cells the schedules tried fell in, of all the fault space holds (kinds × grid times). */
  cells: number;
  totalCells: number;
  /** Per event kind ("SIGTERM", "race", "storm", "pause", "partition", "stop", "SIGTERM→db"): its cells drawn, of totalCells ÷ kinds. */
  kinds: { kind: string; cells: number }[];
  /** The width of a cell (the fault space's step), and its horizon. */
  stepMs: number;
  horizonMs: number;
  /** The latest time after readiness an event was tried at (null: none). */
  latestMs: number | null;
}

/** How exploring went: why it ended, how long it took, what it covered. */
export interface Explored extends ExploredCells {
  /**
   * Why no new schedule was drawn after the last: a confirmed failure (shrinking took over), the budget (the time
   * left was kept for a failure's estimate and confirmation), `runs` schedules, or an interrupt (or a failed environment).
   */
  endedBy: 'failure' | 'budget' | 'runs' | 'interrupted';
  /** From the campaign's start to the end of exploring. */
  durationMs: number;
}

/** How a campaign went and what it found: the body of a fuzz report, as the campaign itself knows it. */
export interface CampaignSummary {
  seed: number;
  /** fast-check's path to the counterexample: with the seed it regenerates it. */
  path: string | null;
  schedulesTried: number;
  /** `--runs`: the most schedules to try; absent, exploring goes on until the budget is spent. */
  runs?: number;
  trialsRun: number;
  infrastructureErrors: number;
  /** What those errors said, each distinct message with how often (absent in reports written before they were kept). */
  infrastructureMessages?: { message: string; count: number }[];
  durationMs: number;
  /** `--budget`, and the longest one trial of the scenario can take: the campaign ends by their sum. */
  budgetMs: number;
  worstCaseTrialMs: number;
  /** Where event times were drawn (absent in reports written before the horizon grew). */
  horizon?: HorizonSummary;
  /** A guided campaign's corpus (absent: the search was fast-check's uniform one). */
  guided?: GuidedSummary;
  /** The longest trial the campaign ran: the budget plans what still fits by it. */
  longestTrialMs: number;
  /** How far exploring went through the fault space, and why it ended. */
  explored: Explored;
  /** Set when the budget ran out before the campaign was done: what it cut. */
  cut?: CampaignCut;
  /** Every trial's duration, in the order they started (absent in reports written before they were kept). */
  trialDurations?: TrialDuration[];
  /** From the start of the campaign to the first confirmed failure. */
  timeToFirstFailureMs: number | null;
  verdict: 'pass' | 'fail' | 'unknown';
  interrupted: boolean;
  /** Set when the environment failed for good and the campaign stopped early (what it found is kept). */
  error?: { kind: string; message: string };
  /** False in the checkpoints written while the campaign runs: a run that died left this partial report. */
  complete: boolean;
  outcome: FuzzOutcome;
  /** The minimal schedule step by step: "+120 ms SIGTERM→main". */
  minimalSteps: string[];
  /** Other failures met on the way (different signatures, or never reproduced). */
  findings: Finding[];
  shrinkBudgetExhausted: boolean;
}

export interface FuzzReport extends ReportHeader<'fuzz'>, CampaignSummary {
  replay: string | null;
  /** One trial of the minimal failing schedule that failed with its signature, for the timeline and `analyze`. */
  trial?: TrialRecord;
  /** One trial of the same schedule that passed, when it is flaky: the HTML shows the two on one time axis. */
  passingTrial?: TrialRecord;
  /** Signals orchestrators send that this campaign's fault space left out (never a failure). */
  coverage: CoverageNote[];
}
