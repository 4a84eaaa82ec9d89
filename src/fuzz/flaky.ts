import type { Schedule } from '../schedule/event.js';
import type { Ahead } from './ahead.js';
import { CutRules, type CutSettings } from './cut-rules.js';
import {
  accept,
  counted,
  cutShort,
  estimating,
  exploring,
  found,
  initialState,
  minimalOf,
  shrinking,
  type CutReason,
  type FailingStep,
  type Phase,
  type PropertyState,
  type Shrinking,
} from './property-state.js';
import { withoutSecondSignals } from './second-signals.js';
import type { TrialFn, TrialOutcome } from './trial-fn.js';
import { cleanRunsNeeded } from './wilson.js';

export interface FlakySettings extends CutSettings {
  /** Re-runs of a first failure, to estimate how often it fails. */
  estimateRuns: number;
  /** At most this many clean runs before a shrink candidate counts as passing. */
  maxCleanRuns: number;
  /** Infrastructure errors are retried this often before the candidate is given up (counted as not failing). */
  infraRetries: number;
  /**
   * Repeated runs of one schedule (the estimate of a first failure, the clean runs of a shrink candidate) are
   * started this many at a time. Default 1. A batch that holds a failure still counts every run it started.
   */
  parallel?: number;
  /** Runs exploring's first trials ahead, in parallel (without it, each is run when its schedule is judged). */
  ahead?: Ahead;
}

/** How a schedule was judged: it fails the target, it holds, or the budget cut it before it proved anything. */
type Judgement = 'fails' | 'holds' | 'cut';

type Failed = Extract<TrialOutcome, { kind: 'fail' }>;

const failingStep = (schedule: Schedule, outcome: Failed): FailingStep => ({ schedule, failures: outcome.failures, ...(outcome.record ? { record: outcome.record } : {}) });

/**
 * The property behind a campaign, made flaky-aware. fast-check runs each shrink candidate once and never looks
 * back, so the judgement lives here:
 * - a first failure is re-run `estimateRuns` times; one that never reproduces is an unconfirmed finding and is not
 *   shrunk (the property passes);
 * - once shrinking, a candidate fails on its first failure with the same signature, and passes only after k clean
 *   runs, k from the estimated failure rate; a different failure is kept as a separate finding and not followed;
 * - infrastructure errors are retried and never count as failures;
 * - results are cached per schedule, and a shrink budget ends shrinking with the best schedule so far.
 * What it knows is one value, `state` (src/fuzz/property-state.ts); every cut is decided by `CutRules`.
 */
export class FlakyProperty {
  /** Each infrastructure error's message, with how often it was met: the report says what was retried. */
  readonly errors = new Map<string, number>();
  private current: PropertyState = initialState();
  private readonly cache = new Map<string, boolean>();
  private readonly rules: CutRules;

  constructor(
    private readonly trial: TrialFn,
    private readonly settings: FlakySettings,
  ) {
    this.rules = new CutRules(settings);
  }

  /**
   * What the property knows, as one value. It is replaced at each change, never edited; each replacement is made from
   * the current value in one synchronous step, so trials run in parallel lose no count.
   */
  get state(): PropertyState {
    return this.current;
  }

  /** fast-check's predicate: true = the schedule holds (or cannot be judged), false = it fails the target signature. */
  async check(schedule: Schedule, run?: number): Promise<boolean> {
    const key = JSON.stringify(schedule);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const state = this.current;
    const judged = state.phase === 'shrinking' ? await this.candidate(schedule, this.rules.shrinkCutoff(state), false) : await this.explore(schedule, run);
    if (judged !== 'cut') this.cache.set(key, judged === 'holds'); // a candidate the budget cut decided nothing
    return judged !== 'fails';
  }

  /** Whether a new schedule may still be explored (its trial and its estimate end before the deadline). */
  canExplore(): boolean {
    return !this.cut('explore', this.rules.explore());
  }

  /** The same, without noting a cut (a trial run ahead that is not started decides nothing). */
  mayExplore(): boolean {
    return this.rules.explore() === undefined;
  }

  /** Whether `schedule` was judged already (its result is cached). */
  judged(schedule: Schedule): boolean {
    return this.cache.has(JSON.stringify(schedule));
  }

  /** The one place a cut is recorded: `reason`, when the rules gave one, cuts `phase` short. */
  private cut(phase: Phase, reason: CutReason | undefined): boolean {
    if (reason) this.current = cutShort(this.current, phase, reason);
    return reason !== undefined;
  }

  private shrinking(): Shrinking {
    if (this.current.phase !== 'shrinking') throw new Error(`the property is ${this.current.phase}, not shrinking`);
    return this.current;
  }

  private async explore(schedule: Schedule, run?: number): Promise<Judgement> {
    if (!this.canExplore()) return 'holds';
    const { ahead } = this.settings;
    const first = await this.run(schedule, ahead && run !== undefined ? ahead.take(schedule, run) : undefined);
    if (first.kind !== 'fail') return 'holds';
    ahead?.hold();
    const confirmed = await this.estimate(schedule, first);
    if (confirmed) ahead?.endExploring(); // shrinking from here: nothing more is explored
    else ahead?.release();
    return confirmed ? 'fails' : 'holds';
  }

  /** A first failure re-run `estimateRuns` times: confirmed (the property fails, shrinking starts) or a finding only. */
  private async estimate(schedule: Schedule, first: Failed): Promise<boolean> {
    const signature = first.signatures[0]!;
    const step = failingStep(schedule, first);
    const planned = this.settings.estimateRuns;
    this.current = estimating(this.current, signature, step);
    let again: TrialOutcome[];
    try {
      again = await this.runMany(schedule, planned, 'estimate');
    } finally {
      this.current = exploring(this.current); // the estimate is over (or threw): exploring again, unless it confirms the failure below
    }
    this.cut('estimate', this.rules.estimate(again.length, planned));
    const k = again.filter((o) => o.kind === 'fail' && o.signatures.includes(signature)).length;
    const confirmed = k > 0;
    this.current = found(this.current, { signature, schedule, failures: first.failures, reproduced: { k: k + 1, n: again.length + 1 }, confirmed });
    if (!confirmed) return false;
    const rate = (k + 1) / (again.length + 1);
    // Shrinking starts here, and so does its budget.
    this.current = shrinking(this.current, { signature, rate, cleanRuns: cleanRunsNeeded(rate, 0.05, this.settings.maxCleanRuns) }, step, this.rules.now());
    return true;
  }

  /**
   * A shrink candidate, run until a batch fails with the target's signature (a smaller failing schedule) or k clean
   * runs are done. fast-check's candidates (`lastShare` false) stop at the shrink budget, and are then cut; the last
   * share's stop at `until` only, and one it cannot start, or finish after another failure, counts as holding.
   */
  private async candidate(schedule: Schedule, until: number, lastShare: boolean): Promise<Judgement> {
    const early = this.stopsAt(until, lastShare);
    if (early) return early;
    const { target } = this.shrinking();
    for (let done = 0; done < target.cleanRuns; ) {
      const batch = Math.min(this.batchSize(), target.cleanRuns - done);
      if (this.cut('shrink', this.rules.batch(until))) return 'cut'; // not enough time for the clean runs left: the candidate proves nothing
      this.current = counted(this.current, 'shrinkTrials', batch);
      const started = done === 0 ? this.settings.ahead?.takeStarted(schedule) : undefined;
      done += batch;
      const outcomes = await this.runMany(schedule, batch, undefined, started);
      const hit = outcomes.find((o) => o.kind === 'fail' && o.signatures.includes(target.signature));
      if (hit?.kind === 'fail') {
        this.current = accept(this.shrinking(), failingStep(schedule, hit));
        return 'fails';
      }
      this.noteOtherFailures(schedule, outcomes);
      const late = outcomes.some((o) => o.kind === 'fail') ? this.stopsAt(until, lastShare) : undefined;
      if (late) return late;
    }
    return 'holds';
  }

  /** Whether a candidate stops here, and as what: fast-check's at the shrink budget (cut), the last share's at `until` (holding). */
  private stopsAt(until: number, lastShare: boolean): Judgement | undefined {
    if (lastShare) return this.rules.fitsAt(until) ? undefined : 'holds';
    return this.shrinkCut(until) ? 'cut' : undefined;
  }

  /** fast-check's candidates end for good once the shrink budget is spent (the first time is recorded as a cut). */
  private shrinkCut(until: number): boolean {
    return this.current.cuts.shrink !== undefined || this.cut('shrink', this.rules.shrink(this.shrinking(), until));
  }

  /** A different failure met while shrinking is kept as an unconfirmed finding, once per signature, and not followed. */
  private noteOtherFailures(schedule: Schedule, outcomes: TrialOutcome[]): void {
    for (const outcome of outcomes) {
      if (outcome.kind !== 'fail') continue;
      const other = outcome.signatures[0]!;
      if (!this.current.findings.some((f) => f.signature === other)) {
        this.current = found(this.current, { signature: other, schedule, failures: outcome.failures, reproduced: { k: 1, n: 1 }, confirmed: false });
      }
    }
  }

  /**
   * The last share of shrinking: fast-check shrinks in its own order and may run out of budget while the minimal
   * schedule still holds a race or a second terminating signal, which then takes the blame. Tries the minimal
   * schedule without it (every second signal at once, then one at a time) until one still fails or the shrink
   * deadline comes. Call after fast-check is done.
   */
  async dropSecondSignals(): Promise<void> {
    const isTerminating = this.settings.isTerminating;
    if (this.current.phase !== 'shrinking' || !isTerminating) return;
    const until = this.rules.until('shrink');
    for (let progress = true; progress; ) {
      progress = false;
      for (const candidate of withoutSecondSignals(minimalOf(this.shrinking()).schedule, isTerminating)) {
        const key = JSON.stringify(candidate);
        if (this.cache.has(key)) continue;
        if (!this.rules.fitsAt(until)) return;
        this.current = { ...this.shrinking(), secondSignalTried: true };
        const judged = await this.candidate(candidate, until, true);
        if (judged !== 'cut') this.cache.set(key, judged === 'holds'); // a candidate cut short decided nothing
        if (judged === 'fails') {
          progress = true;
          break;
        }
      }
    }
  }

  private batchSize(): number {
    return Math.max(1, Math.floor(this.settings.parallel ?? 1));
  }

  /**
   * `runs` trials of one schedule, `parallel` at a time, outcomes in start order; fewer when `phase`'s time runs out.
   * `started`: the first of them, already under way (a shrink candidate's trial run ahead).
   */
  private async runMany(schedule: Schedule, runs: number, phase?: Phase, started?: Promise<TrialOutcome>): Promise<TrialOutcome[]> {
    const outcomes: TrialOutcome[] = [];
    while (outcomes.length < runs) {
      if (phase && !this.rules.fits(phase)) break;
      const batch = Math.min(this.batchSize(), runs - outcomes.length);
      outcomes.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => this.run(schedule, i === 0 && outcomes.length === 0 ? started : undefined)))));
    }
    return outcomes;
  }

  /**
   * One trial, with infrastructure errors retried; a persistent one reads as a pass and never steers shrinking.
   * `started`: its first attempt, already under way (run ahead while exploring).
   */
  private async run(schedule: Schedule, started?: Promise<TrialOutcome>): Promise<TrialOutcome> {
    for (let attempt = 0; ; attempt++) {
      this.current = counted(this.current, 'trials');
      const budget = this.settings.budget;
      const outcome = attempt === 0 && started ? await started : budget ? await budget.timed(() => this.trial(schedule)) : await this.trial(schedule);
      if (outcome.kind !== 'infrastructure') return outcome;
      this.current = counted(this.current, 'infrastructureErrors');
      this.errors.set(outcome.error, (this.errors.get(outcome.error) ?? 0) + 1);
      if (attempt >= this.settings.infraRetries || !this.rules.fitsAt(budget?.deadline ?? Infinity)) return { kind: 'pass' };
    }
  }
}
