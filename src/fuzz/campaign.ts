import { setMaxListeners } from 'node:events';
import fc from 'fast-check';
import type { SigstormError } from '../errors.js';
import { describeEvent, type Schedule } from '../schedule/event.js';
import { journal } from '../leftovers/journal.js';
import type { CampaignSummary, Explored, FuzzOutcome, GuidedSummary, Reproduction } from '../report/fuzz-report.js';
import type { Scenario } from '../scenario/types.js';
import type { TrialRecord } from '../trial/record.js';
import { scheduleArbitrary, sortSchedule, startupWindow } from './arbitrary.js';
import { Budget, worstCaseTrialMs } from './budget.js';
import { confirmShrinkPath } from './confirm.js';
import { Corpus, CORPUS_SHARE, LAG } from './corpus.js';
import { cutOf } from './cut.js';
import { FaultCells } from './fault-cells.js';
import { FlakyProperty } from './flaky.js';
import { GuidedArbitrary } from './guided-arbitrary.js';
import { Lookahead } from './lookahead.js';
import { mutationSpaceOf } from './mutation.js';
import { defaultParallelism } from './parallelism.js';
import { minimalOf, originalOf, shrinkingOf, shrinkPath, shrinkStepsOf, type Phase, type Shrinking } from './property-state.js';
import type { TimeSpace } from './time-space.js';
import { sampleRuns, TimeWatch } from './time-watch.js';
import type { TrialFn } from './trial-fn.js';
import { wilson } from './wilson.js';

export interface CampaignOptions {
  /** At most this many schedules explored (fast-check numRuns); default: no limit, exploring goes on until the budget is spent. */
  runs?: number;
  /** Wall-clock budget of the whole campaign in ms (default 5 min): exploring, then a failure's estimate, shrinking and confirmation. */
  budgetMs?: number;
  seed?: number;
  /**
   * Trials run at once: the first trials of the schedules exploring meets next, and the re-runs of one schedule
   * (estimation, a shrink candidate's clean runs, confirmation).
   */
  parallel?: number;
  /** Re-runs of the minimal schedule for its reproduction rate. */
  confirmRuns?: number;
  signal?: AbortSignal;
  /**
   * Guided search: a corpus of the schedules whose trials showed something new, and one draw in three a mutation of
   * one of them (src/fuzz/corpus.ts). Default off: fast-check's uniform draws only.
   */
  guided?: boolean;
  /** The budget's clock (ms): Date.now; a test's fake trials advance a clock of their own. */
  clock?: () => number;
  /** Called after every trial and schedule, and at each change of phase. */
  onProgress?: (progress: FuzzProgress) => void;
}

/** Where a campaign stands, for a progress display. */
export interface FuzzProgress {
  scenario: string;
  phase: 'exploring' | 'shrinking' | 'confirming';
  schedulesTried: number;
  /** Schedules the campaign will generate at most (`runs`); undefined: until the budget is spent. */
  runs?: number | undefined;
  trials: number;
  /** Failures met so far (confirmed or not, any signature). */
  failures: number;
  shrinkSteps: number;
  /** Cells of the fault space the schedules tried fell in, of all it holds (src/fuzz/fault-cells.ts). */
  cells: { drawn: number; total: number };
  /** A guided campaign's corpus: schedules explored that were drawn from it, and its entries. */
  corpus?: { drawn: number; entries: number };
  elapsedMs: number;
  budgetMs: number;
  /** The same, as one line for a log. */
  message: string;
}

/**
 * How the campaign runs one trial: the session builds it. Trials end early once `signal` aborts; `onFatal` is
 * called when the environment failed for good (the campaign then stops, keeping what it found).
 */
export type TrialFactory = (signal: AbortSignal, onFatal: (error: SigstormError) => void) => TrialFn;

export interface CampaignHooks {
  /** Schedules to try first (failures of earlier campaigns). */
  examples?: Schedule[];
  /** The campaign as it stands (`complete: false`), at its start and at each new or smaller failure. */
  checkpoint?: (summary: CampaignSummary) => Promise<void>;
}

export interface CampaignResult {
  summary: CampaignSummary;
  /** A failing trial of the minimal schedule. */
  trial?: TrialRecord;
  /** A trial of the same schedule that passed in confirmation (the schedule is flaky), to show beside it. */
  passingTrial?: TrialRecord;
}

/** At most this share of the budget is kept from shrinking for confirmation. */
const CONFIRM_SHARE = 0.25;
const ESTIMATE_RUNS = 3;

/** One campaign: generate schedules, find a failure, shrink it flaky-aware, confirm it. */
export const runCampaign = (scenario: Scenario, makeTrial: TrialFactory, options: CampaignOptions = {}, hooks: CampaignHooks = {}): Promise<CampaignResult> =>
  new Campaign(scenario, makeTrial, options, hooks).run();

class Campaign {
  private readonly seed: number;
  private readonly budgetMs: number;
  private readonly parallel: number;
  /** At most this many schedules explored; undefined: until the budget is spent. */
  private readonly runs: number | undefined;
  private readonly confirmRuns: number;
  /** The campaign's clock (the budget's too), and its start on it. */
  private readonly clock: () => number;
  private readonly started: number;
  private readonly budget: Budget;
  private readonly property: FlakyProperty;
  private readonly lookahead: Lookahead | undefined;
  private readonly arbitrary: fc.Arbitrary<Schedule>;
  private readonly trial: TrialFn;
  /** The target's spawn-to-ready time, from the first trial that saw it whole (the start-up window). */
  private startupMs: number | undefined;
  /** Where event times are drawn: grown by what the judged schedules' trials showed of the target (time-watch.ts). */
  private readonly times: TimeWatch;
  /** A guided campaign's corpus, and how many schedules explored came from it. */
  private readonly corpus: Corpus | undefined;
  private fromCorpus = 0;
  /** Whether the first confirmed failure was a schedule drawn from the corpus (undefined: none yet). */
  private failureFromCorpus: boolean | undefined;
  /** Work stops on the user's interrupt, or when the environment fails for good (the engine went away). */
  private readonly halt = new AbortController();
  private readonly stop: AbortSignal;
  private fatal: SigstormError | undefined;
  private phase: FuzzProgress['phase'] = 'exploring';
  private tried = 0;
  private confirmTrials = 0;
  private confirmDone: { done: number; planned: number } | undefined;
  /** The cells of the fault space the schedules tried fell in. */
  private readonly cells: FaultCells;
  /** When and why exploring ended, once it has (a confirmed failure ends it too: the property's state says when). */
  private exploringEnd: { at: number; by: Explored['endedBy'] } | undefined;

  constructor(
    private readonly scenario: Scenario,
    makeTrial: TrialFactory,
    private readonly options: CampaignOptions,
    private readonly hooks: CampaignHooks,
  ) {
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.budgetMs = options.budgetMs ?? 5 * 60_000;
    this.parallel = options.parallel ?? defaultParallelism();
    this.runs = options.runs;
    this.cells = new FaultCells(scenario);
    this.confirmRuns = options.confirmRuns ?? 20;
    this.clock = options.clock ?? Date.now;
    this.started = this.clock();
    // Each trial's duration is listed under what the campaign was doing when it started.
    this.budget = new Budget(this.started, this.budgetMs, this.clock, () => (this.phase === 'confirming' ? 'confirming' : this.property.state.phase));
    this.stop = options.signal ? AbortSignal.any([options.signal, this.halt.signal]) : this.halt.signal;
    // Each trial in flight listens to it once (src/trial/trial.ts): up to 2P − 1 while a first failure's estimate
    // starts beside the trials run ahead. That many is by design, not a leak: Node warns past 10.
    setMaxListeners(2 * this.parallel + 2, this.stop);
    const run = makeTrial(this.stop, (error) => {
      this.fatal ??= error;
      this.progress(`stopping: ${error.message}`);
      this.halt.abort();
    });
    this.times = new TimeWatch(scenario.faults);
    this.corpus = options.guided ? new Corpus(this.seed, mutationSpaceOf(scenario), { step: scenario.faults.step, targetName: scenario.target.name }) : undefined;
    // Every trial reports progress: the first failure of a campaign takes several (its estimate) before fast-check hears of it.
    this.trial = async (schedule) => {
      const outcome = await run(schedule);
      this.times.trialEnded(schedule, outcome);
      if (this.property.state.phase !== 'shrinking') this.corpus?.trialEnded(schedule, outcome); // only exploring feeds it
      // The quickest start-up seen whole sets the start-up window: a service slow to start is slow every time, while
      // one a busy machine slowed once (a Node server taking 1.2 s under load) must not gain the window for good.
      const startup = outcome.kind === 'pass' ? outcome.spawnToReadyMs : outcome.kind === 'fail' && !outcome.record?.exitedInStartup ? outcome.record?.spawnToReadyMs : undefined;
      if (startup !== undefined && startup < (this.startupMs ?? Number.POSITIVE_INFINITY)) this.startupMs = startup;
      if (this.phase === 'confirming') this.confirmTrials++;
      this.progress(`trial ${this.property.state.counts.trials + this.confirmTrials}: ${outcome.kind}`);
      return outcome;
    };
    this.arbitrary = this.guidedOver(scheduleArbitrary(scenario, () => this.startupMs, () => this.times.times));
    this.lookahead =
      this.parallel > 1
        ? new Lookahead({
            width: this.parallel,
            upcoming: (count) => this.upcoming(count),
            trial: (schedule) => this.budget.timed(() => this.trial(schedule), this.phase),
            mayStart: () => !this.stop.aborted && this.property.mayExplore(),
          })
        : undefined;
    this.property = new FlakyProperty(this.trial, {
      estimateRuns: ESTIMATE_RUNS,
      maxCleanRuns: 8,
      infraRetries: 2,
      shrinkTrials: 200,
      shrinkMs: Math.max(30_000, this.budgetMs / 2),
      parallel: this.parallel,
      budget: this.budget,
      until: (phase) => this.until(phase),
      isTerminating: (signal) => signal === 'SIGKILL' || scenario.expect[signal]?.kind === 'exit',
      ...(this.lookahead ? { ahead: this.lookahead } : {}),
    });
  }

  private drawn: { key: string; schedules: Schedule[] } | undefined;

  /**
   * In a guided campaign, `inner`'s draws with the corpus's in their place (one instance per fc.check or fc.sample: it
   * counts its generations); fast-check's j-th generated run is exploring's run `examples + j`.
   */
  private guidedOver(inner: fc.Arbitrary<Schedule>): fc.Arbitrary<Schedule> {
    const { corpus } = this;
    if (!corpus) return inner;
    const examples = this.hooks.examples?.length ?? 0;
    return new GuidedArbitrary(inner, (j) => corpus.draw(examples + j), this.scenario.faults.step);
  }

  /**
   * The first `count` schedules fast-check's runs will hold (fewer if `runs` holds fewer), in order: the examples,
   * then the values its seed generates (fc.sample with the same seed draws the same ones, whatever their number), each
   * in the time space of its run. Drawn lazily: when the lookahead reads past the end, the list is drawn again at
   * least twice as long (so it holds at most about twice what the campaign tries); also drawn again if the start-up
   * window or the time space, which generation reads, changes.
   */
  private upcoming(count: number): readonly Schedule[] {
    const key = JSON.stringify([startupWindow(this.scenario.faults, this.startupMs) ?? null, this.times.seenKey, this.corpus?.key ?? 0]);
    const limit = this.runs ?? Number.POSITIVE_INFINITY;
    const want = Math.min(count, limit);
    const drawn = this.drawn && this.drawn.key === key ? this.drawn.schedules : undefined;
    if (drawn && drawn.length >= want) return drawn;
    const size = Math.min(limit, Math.max(want, 2 * (drawn?.length ?? 0)));
    const examples = this.hooks.examples ?? [];
    const arbitraryIn = (times: TimeSpace) => this.guidedOver(scheduleArbitrary(this.scenario, () => this.startupMs, () => times));
    const generated = sampleRuns(arbitraryIn, this.seed, Math.max(0, size - examples.length), (j) => this.times.forRun(examples.length + j));
    this.drawn = { key, schedules: [...examples, ...generated].slice(0, size).map(sortSchedule) };
    return this.drawn.schedules;
  }

  async run(): Promise<CampaignResult> {
    await this.checkpoint();
    const path = (await this.explore()).counterexamplePath ?? null;
    // fast-check stopped by itself: after `runs` schedules, or at its own time limit (the budget).
    if (this.property.state.phase !== 'shrinking') this.exploringEnd ??= { at: this.clock(), by: this.runs !== undefined ? 'runs' : 'budget' };
    await this.lookahead?.stop(); // every trial run ahead (exploring or shrinking) ends before the last step and confirmation
    const { property } = this;
    if (property.state.phase === 'shrinking' && !this.stop.aborted) {
      // The last share of shrinking: try the minimal schedule without its second terminating signal.
      this.phase = 'shrinking';
      const known = shrinkPath(property.state).length;
      await property.dropSecondSignals();
      if (shrinkPath(property.state).length !== known) await this.checkpoint();
    }
    const shrunk = shrinkingOf(property.state);
    if (!shrunk) return { summary: this.summarize({ kind: this.stop.aborted ? 'interrupted' : 'passed' }, path) };
    const { outcome, ...trials } = await this.confirm(shrunk);
    return { summary: this.summarize(outcome, path), ...trials };
  }

  /**
   * One deadline for every phase. Exploring stops in time to estimate a failure it meets and run one confirmation
   * batch; shrinking stops in time for confirmation's share; a trial that cannot end in time is not started.
   */
  private until(phase: Phase): number {
    const { budget, parallel, confirmRuns } = this;
    if (phase === 'explore') return budget.deadline - budget.batchesMs(ESTIMATE_RUNS, parallel) - budget.batchesMs(Math.min(parallel, confirmRuns), parallel);
    if (phase === 'estimate') return budget.deadline;
    return budget.deadline - budget.confirmReserveMs(confirmRuns, parallel, CONFIRM_SHARE);
  }

  /**
   * fast-check generates schedules, lazily and in its seed's order, until exploring ends (`runs`, the budget, an
   * interrupt) or a failure is confirmed, and shrinks that failure; the flaky-aware property judges them.
   */
  private explore(): Promise<fc.RunDetails<[Schedule]>> {
    const { property } = this;
    let run = -1;
    const predicate = fc.asyncProperty(this.arbitrary, async (raw) => {
        const exploring = property.state.phase !== 'shrinking';
        if (exploring) run++; // fast-check's runs, in order (shrink candidates come after the failing run)
        if (this.stop.aborted) return true;
        this.tried++;
        const drawnFromCorpus = exploring && this.corpus?.drewFor(run, raw) === true;
        if (drawnFromCorpus) this.fromCorpus++;
        this.cells.note(sortSchedule(raw));
        this.phase = exploring ? 'exploring' : 'shrinking';
        this.progress(`schedule ${this.tried}: running (${property.state.counts.trials} trials so far)`);
        const known = shrinkPath(property.state).length;
        const schedule = sortSchedule(raw);
        const holds = await property.check(schedule, run);
        if (exploring) {
          this.times.judged(schedule, property.state.findings.map((f) => f.schedule));
          this.corpus?.judged(run, schedule);
          if (shrinkingOf(property.state)) this.failureFromCorpus ??= drawnFromCorpus;
        }
        const shrunk = shrinkingOf(property.state);
        if (shrunk && shrunk.accepted.length !== known) {
          // A new or smaller failure: on disk at once, so neither an interrupt nor a SIGKILL can lose it.
          journal.phase('shrinking', shrunk.target.signature);
          await this.checkpoint();
        }
        const { state } = property;
        this.phase = state.phase === 'shrinking' ? 'shrinking' : 'exploring';
        this.progress(
          state.phase === 'shrinking'
            ? `shrinking ${state.target.signature}: ${minimalOf(state).schedule.length} event(s) after ${shrinkStepsOf(state)} step(s), ${state.counts.trials} trials`
            : `schedule ${this.tried}: ${holds ? 'held' : 'failed'} (${state.counts.trials} trials)`,
        );
        return holds;
      });
    return fc.check(
      this.shrinkingAhead(this.exploringUntil(predicate)),
      {
        // Without `runs`, no count: exploring ends when `exploringUntil` says so.
        numRuns: this.runs ?? Number.MAX_SAFE_INTEGER,
        seed: this.seed,
        examples: (this.hooks.examples ?? []).map((schedule) => [schedule] as [Schedule]),
        interruptAfterTimeLimit: this.budgetMs,
        markInterruptAsFailure: false,
      },
    );
  }

  /**
   * fast-check's property, ended while exploring when no new schedule may start: its trial and its estimate would not
   * end before exploring's deadline (the rest of the budget is kept for a failure's estimate and confirmation), or
   * the campaign was interrupted. An interrupting precondition failure stops fast-check's runs there (as its own
   * time limit does): nothing is judged, and the campaign goes on to its end.
   */
  private exploringUntil(inner: fc.IAsyncPropertyWithHooks<[Schedule]>): fc.IAsyncPropertyWithHooks<[Schedule]> {
    const { property } = this;
    const until = Object.create(inner) as fc.IAsyncPropertyWithHooks<[Schedule]>;
    until.run = (value) => {
      if (property.state.phase === 'shrinking') return inner.run(value);
      const by = this.stop.aborted ? 'interrupted' : property.canExplore() ? undefined : 'budget';
      if (!by) return inner.run(value);
      this.exploringEnd ??= { at: this.clock(), by };
      return Promise.resolve(new fc.PreconditionFailure(true));
    };
    return until;
  }

  /**
   * fast-check's property, its shrinker watched: the candidates it lines up next are started ahead, as many as the
   * width allows once each candidate's clean runs are counted (a deterministic failure needs one clean run per
   * candidate, so P candidates run at once). fast-check still judges them one at a time, in its order.
   */
  private shrinkingAhead(inner: fc.IAsyncPropertyWithHooks<[Schedule]>): fc.IAsyncPropertyWithHooks<[Schedule]> {
    const { lookahead, property } = this;
    if (!lookahead) return inner;
    const watched = Object.create(inner) as fc.IAsyncPropertyWithHooks<[Schedule]>;
    watched.shrink = (value) => {
      const chunk = Math.floor(this.parallel / (shrinkingOf(property.state)?.target.cleanRuns ?? this.parallel));
      if (chunk < 2) return inner.shrink(value);
      return new fc.Stream(inChunks(inner.shrink(value)[Symbol.iterator](), chunk, (values) =>
        lookahead.prefetch(values.map((v) => sortSchedule(v.value[0])), (schedule) => !property.judged(schedule)),
      ));
    };
    return watched;
  }

  /**
   * The failed outcome: the smallest schedule on the shrink path that reproduces about as often as the first failing
   * schedule did (its estimate is the reference), how often it does, and that estimate beside it.
   */
  private async confirm(shrunk: Shrinking): Promise<{ outcome: FuzzOutcome; trial?: TrialRecord; passingTrial?: TrialRecord }> {
    const { confirmRuns } = this;
    const { signature } = shrunk.target;
    const estimated = shrunk.findings.find((f) => f.signature === signature && f.confirmed);
    const first = estimated ? estimateOf(estimated.reproduced) : undefined;
    const confirmed = await confirmShrinkPath(shrunk.accepted, signature, this.trial, {
      runs: confirmRuns,
      parallel: this.parallel,
      budget: this.budget,
      signal: this.stop,
      onStep: (step) => {
        this.phase = 'confirming';
        this.progress(`confirming a ${step.schedule.length}-event schedule ${confirmRuns} times`);
        journal.phase('confirming', `${step.schedule.length} event(s)`);
      },
      ...(first ? { reference: first } : {}),
    });
    this.confirmDone = confirmed.runs;
    const { chosen, skipped, lessReliable } = confirmed;
    // The first failing schedule as the rule measured it: its estimate, and its own confirmation when it was run.
    const originalReproduction = first && confirmed.original ? pooled(first, confirmed.original) : first;
    // Confirmation cut before its first run: the first failure's own re-runs (its estimate) are the best evidence left.
    const reproduction = confirmed.reproduction.runs === 0 && first && estimated?.schedule === chosen.schedule ? first : confirmed.reproduction;
    const outcome: FuzzOutcome = {
      kind: 'failed',
      signature,
      minimal: chosen.schedule,
      original: originalOf(shrunk),
      shrinkSteps: shrunk.accepted.indexOf(chosen),
      reproduction,
      ...(originalReproduction ? { originalReproduction } : {}),
      failures: chosen.failures,
      ...(skipped.length ? { notReproduced: skipped } : {}),
      ...(lessReliable.length ? { lessReliable } : {}),
    };
    return { outcome, ...(confirmed.record ? { trial: confirmed.record } : {}), ...(confirmed.passing ? { passingTrial: confirmed.passing } : {}) };
  }

  private progress(message: string): void {
    const { state } = this.property;
    this.options.onProgress?.({
      scenario: this.scenario.name,
      phase: this.phase,
      schedulesTried: this.tried,
      runs: this.runs,
      trials: state.counts.trials + this.confirmTrials,
      failures: state.findings.length,
      shrinkSteps: state.phase === 'shrinking' ? shrinkStepsOf(state) : 0,
      cells: this.cells.count(),
      ...(this.corpus ? { corpus: { drawn: this.fromCorpus, entries: this.corpus.entries.length } } : {}),
      elapsedMs: this.clock() - this.started,
      budgetMs: this.budgetMs,
      message,
    });
  }

  /** How far exploring went: a checkpoint written while it goes on says `interrupted`, which it is if the campaign dies there. */
  private explored(): Explored {
    const { state } = this.property;
    const end = state.phase === 'shrinking' ? { at: state.firstFailureAt, by: 'failure' as const } : (this.exploringEnd ?? { at: this.clock(), by: 'interrupted' as const });
    return { endedBy: end.by, durationMs: end.at - this.started, ...this.cells.summary() };
  }

  /** A guided campaign's corpus, for the report. */
  private guidedSummary(corpus: Corpus): GuidedSummary {
    const entries = corpus.entries;
    return {
      fromCorpus: this.fromCorpus,
      corpus: entries.length,
      share: CORPUS_SHARE,
      lag: LAG,
      ...(this.failureFromCorpus !== undefined ? { firstFailureFromCorpus: this.failureFromCorpus } : {}),
      novel: entries.slice(0, 20).map((e) => ({ run: e.run, novel: e.novel.filter((f) => !f.startsWith('cell ')).slice(0, 5) })).filter((e) => e.novel.length),
    };
  }

  /** What a reader finds if this campaign dies now: the smallest failure so far, not yet confirmed. */
  private async checkpoint(): Promise<void> {
    const shrunk = shrinkingOf(this.property.state);
    const m = shrunk ? minimalOf(shrunk) : undefined;
    const outcome: FuzzOutcome = shrunk && m
      ? { kind: 'failed', signature: shrunk.target.signature, minimal: m.schedule, original: originalOf(shrunk), shrinkSteps: shrinkStepsOf(shrunk), reproduction: { failed: 0, runs: 0, rate: 0, interval: wilson(0, 0) }, failures: m.failures }
      : { kind: 'interrupted' };
    await this.hooks.checkpoint?.(this.summarize(outcome, null, false));
  }

  /** The campaign as it stands; `complete` is false for the checkpoints written while it runs. */
  private summarize(outcome: FuzzOutcome, path: string | null, complete = true): CampaignSummary {
    const { started } = this;
    const { state } = this.property;
    // An interrupt is not a cut: the report says `interrupted`.
    const end = {
      passed: outcome.kind === 'passed',
      schedulesTried: this.tried,
      runs: this.runs,
      budgetMs: this.budgetMs,
      cuts: state.cuts,
      confirmRuns: this.confirmDone,
      slowest: this.budget.slowest(),
    };
    const cut = complete && !this.stop.aborted ? cutOf(end) : undefined;
    return {
      seed: this.seed,
      path,
      schedulesTried: this.tried,
      ...(this.runs !== undefined ? { runs: this.runs } : {}),
      // Confirmation's trials: the minimal schedule's runs and those of the schedules tried on the walk back.
      trialsRun: state.counts.trials + (this.lookahead?.unused ?? 0) + this.confirmTrials,
      infrastructureErrors: state.counts.infrastructureErrors,
      ...(this.property.errors.size ? { infrastructureMessages: [...this.property.errors].map(([message, count]) => ({ message, count })) } : {}),
      durationMs: this.clock() - started,
      budgetMs: this.budgetMs,
      worstCaseTrialMs: worstCaseTrialMs(this.scenario, this.times.reachMs),
      horizon: this.times.summary(),
      ...(this.corpus ? { guided: this.guidedSummary(this.corpus) } : {}),
      longestTrialMs: this.budget.longestTrialMs,
      explored: this.explored(),
      ...(cut ? { cut } : {}),
      trialDurations: [...this.budget.trials].sort((a, b) => a.n - b.n),
      timeToFirstFailureMs: state.phase === 'shrinking' ? state.firstFailureAt - started : null,
      verdict: outcome.kind === 'failed' ? 'fail' : outcome.kind === 'passed' ? 'pass' : 'unknown',
      interrupted: this.options.signal?.aborted ?? false,
      ...(this.fatal ? { error: { kind: this.fatal.kind, message: this.fatal.message } } : {}),
      complete,
      outcome,
      minimalSteps: outcome.kind === 'failed' ? outcome.minimal.map(describeEvent) : [],
      findings: state.findings.filter((f) => outcome.kind !== 'failed' || f.signature !== outcome.signature || !f.confirmed),
      shrinkBudgetExhausted: state.cuts.shrink !== undefined,
    };
  }
}

/** A first failure's estimate (its first failure and re-runs) as a reproduction rate. */
const estimateOf = ({ k, n }: { k: number; n: number }): Reproduction => ({ failed: k, runs: n, rate: k / n, interval: wilson(k, n), fromEstimate: true });

/** Two reproductions of one schedule as one; from the estimate only when both are. */
const pooled = (a: Reproduction, b: Reproduction): Reproduction => {
  const [k, n] = [a.failed + b.failed, a.runs + b.runs];
  return { failed: k, runs: n, rate: n ? k / n : 0, interval: wilson(k, n), ...(a.fromEstimate && b.fromEstimate ? { fromEstimate: true } : {}) };
};

/** The values of `source`, `size` at a time; `lined` sees each group before its first value is handed on. */
function* inChunks<T>(source: Iterator<T>, size: number, lined: (values: T[]) => void): Generator<T> {
  for (;;) {
    const values: T[] = [];
    while (values.length < size) {
      const next = source.next();
      if (next.done) break;
      values.push(next.value);
    }
    if (values.length === 0) return;
    lined(values);
    yield* values;
  }
}
