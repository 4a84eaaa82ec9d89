import type { FaultEvent, Schedule } from '../schedule/event.js';
import type { SignalName } from '../signals.js';
import type { OracleResult } from '../oracles/verdict.js';
import type { Finding } from '../report/fuzz-report.js';
import type { TrialRecord } from '../trial/record.js';
import type { Budget } from './budget.js';
import { cleanRunsNeeded } from './wilson.js';

/** What one trial of a schedule came to, as the fuzzer needs it. */
export type TrialOutcome =
  | { kind: 'pass'; record?: TrialRecord; spawnToReadyMs?: number }
  | { kind: 'fail'; signatures: string[]; failures: OracleResult[]; record?: TrialRecord }
  | { kind: 'infrastructure'; error: string };

export type TrialFn = (schedule: Schedule) => Promise<TrialOutcome>;

/** Where exploring takes a schedule's first trial from when it runs trials ahead (src/fuzz/lookahead.ts). */
export interface Ahead {
  /** The first trial of `schedule`, fast-check's run `run`. */
  take(schedule: Schedule, run: number): Promise<TrialOutcome>;
  /** A shrink candidate's first trial, if it was started ahead. */
  takeStarted(schedule: Schedule): Promise<TrialOutcome> | undefined;
  /** Nothing new starts until `release` (a first failure's estimate goes first). */
  hold(): void;
  release(): void;
  /** Exploring is over (shrinking starts): what it ran ahead is dropped. */
  endExploring(): void;
}

/** A schedule accepted as failing, with what failed and the trial that showed it. */
export interface FailingStep {
  schedule: Schedule;
  failures: OracleResult[];
  record?: TrialRecord;
}

export interface FlakySettings {
  /** Re-runs of a first failure, to estimate how often it fails. */
  estimateRuns: number;
  /** At most this many clean runs before a shrink candidate counts as passing. */
  maxCleanRuns: number;
  /** Infrastructure errors are retried this often before the candidate is given up (counted as not failing). */
  infraRetries: number;
  /** Shrinking ends (keeping the best schedule so far) after this many trials or milliseconds. */
  shrinkTrials: number;
  shrinkMs: number;
  /**
   * Repeated runs of one schedule (the estimate of a first failure, the clean runs of a shrink candidate) are
   * started this many at a time. Default 1. A batch that holds a failure still counts every run it started.
   */
  parallel?: number;
  now?: () => number;
  /** The campaign's deadline and trial timing: no trial or batch starts that is not expected to end in time. */
  budget?: Budget;
  /** When each phase must be done by (on the budget's clock); default: the budget's deadline. */
  until?: (phase: Phase) => number;
  /**
   * The signals that stop the target. With it, the last share of the shrink budget is kept to try the minimal
   * schedule without its second terminating signal (a race made a plain signal, a later signal dropped).
   */
  isTerminating?: (signal: SignalName) => boolean;
  /** That last share, as a fraction of the time from the first failure to the end of shrinking. Default 0.25. */
  lastShare?: number;
  /** Runs exploring's first trials ahead, in parallel (without it, each is run when its schedule is judged). */
  ahead?: Ahead;
}

export type Phase = 'explore' | 'estimate' | 'shrink';

export const signatureOf = (r: OracleResult): string => `${r.oracle}/${r.kind ?? 'fail'}`;

/**
 * The property behind a campaign, made flaky-aware. fast-check runs each shrink candidate once and never looks
 * back, so the judgement lives here:
 * - a first failure is re-run `estimateRuns` times; one that never reproduces is an unconfirmed finding and is not
 *   shrunk (the property passes);
 * - once shrinking, a candidate fails on its first failure with the same signature, and passes only after k clean
 *   runs, k from the estimated failure rate; a different failure is kept as a separate finding and not followed;
 * - infrastructure errors are retried and never count as failures;
 * - results are cached per schedule, and a shrink budget ends shrinking with the best schedule so far.
 */
export class FlakyProperty {
  /** The failure being shrunk, once confirmed. */
  target: { signature: string; rate: number; cleanRuns: number } | undefined;
  readonly findings: Finding[] = [];
  /** The first confirmed failing schedule and the smallest one since. */
  original: Schedule | undefined;
  minimal: FailingStep | undefined;
  /** Every schedule accepted as failing, from the original to the minimal: the shrink path. */
  readonly accepted: FailingStep[] = [];
  shrinkSteps = 0;
  trials = 0;
  infrastructureErrors = 0;
  budgetExhausted = false;
  /** The deadline stopped exploring new schedules, or cut the estimate of a first failure short. */
  exploreCut = false;
  estimateCut = false;
  /** The last share of shrinking was spent trying to drop the second terminating signal. */
  secondSignalTried = false;
  /** When the failure being shrunk was first seen (ms on the settings' clock). */
  firstFailureAt: number | undefined;
  private shrinkTrials = 0;
  private readonly cache = new Map<string, boolean>();

  constructor(
    private readonly trial: TrialFn,
    private readonly settings: FlakySettings,
  ) {}

  /** fast-check's predicate: true = the schedule holds (or cannot be judged), false = it fails the target signature. */
  async check(schedule: Schedule, run?: number): Promise<boolean> {
    const key = JSON.stringify(schedule);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const holds = this.target ? await this.checkCandidate(schedule) : await this.explore(schedule, run);
    if (!holds || !this.budgetExhausted) this.cache.set(key, holds); // a candidate the budget cut decided nothing
    return holds;
  }

  /** Whether a new schedule may still be explored (its trial and its estimate end before the deadline). */
  canExplore(): boolean {
    if (this.fits('explore')) return true;
    this.exploreCut = true;
    return false;
  }

  /** The same, without noting a cut (a trial run ahead that is not started decides nothing). */
  mayExplore(): boolean {
    return this.fits('explore');
  }

  /** Whether a shrink candidate's trial started now would still count (the shrink budget is not spent). */
  mayShrink(): boolean {
    return this.target !== undefined && this.shrinkTrials < this.settings.shrinkTrials && this.now() - this.firstFailureAt! < this.settings.shrinkMs && this.fitsAt(this.shrinkCutoff());
  }

  /** Whether `schedule` was judged already (its result is cached). */
  judged(schedule: Schedule): boolean {
    return this.cache.has(JSON.stringify(schedule));
  }

  private async explore(schedule: Schedule, run?: number): Promise<boolean> {
    if (!this.canExplore()) return true;
    const { ahead } = this.settings;
    const first = await this.run(schedule, ahead && run !== undefined ? ahead.take(schedule, run) : undefined);
    if (first.kind !== 'fail') return true;
    ahead?.hold();
    const judged = await this.estimate(schedule, first);
    if (judged) ahead?.release();
    else ahead?.endExploring(); // shrinking from here: nothing more is explored
    return judged;
  }

  /** A first failure re-run `estimateRuns` times: confirmed (the property fails, shrinking starts) or a finding only. */
  private async estimate(schedule: Schedule, first: Extract<TrialOutcome, { kind: 'fail' }>): Promise<boolean> {
    let k = 0;
    const estimate = await this.runMany(schedule, this.settings.estimateRuns, 'estimate');
    if (estimate.length < this.settings.estimateRuns) this.estimateCut = true;
    for (const again of estimate) {
      if (again.kind === 'fail' && again.signatures.includes(first.signatures[0]!)) k++;
    }
    const signature = first.signatures[0]!;
    const confirmed = k > 0;
    this.findings.push({ signature, schedule, failures: first.failures, reproduced: { k: k + 1, n: estimate.length + 1 }, confirmed });
    if (!confirmed) return true;
    const rate = (k + 1) / (estimate.length + 1);
    this.target = { signature, rate, cleanRuns: cleanRunsNeeded(rate, 0.05, this.settings.maxCleanRuns) };
    this.original = schedule;
    this.minimal = { schedule, failures: first.failures, ...(first.record ? { record: first.record } : {}) };
    this.accepted.push(this.minimal);
    this.firstFailureAt = this.now(); // shrinking starts here, and so does its budget
    return false;
  }

  private async checkCandidate(schedule: Schedule, until = this.shrinkCutoff(), lastShare = false): Promise<boolean> {
    if (lastShare ? !this.fitsAt(until) : this.overBudget(until)) return true;
    const target = this.target!;
    for (let done = 0; done < target.cleanRuns; ) {
      const batch = Math.min(this.batchSize(), target.cleanRuns - done);
      if (!this.fitsAt(until)) {
        this.budgetExhausted = true; // not enough time for the clean runs left: the candidate proves nothing
        return true;
      }
      this.shrinkTrials += batch;
      const started = done === 0 ? this.settings.ahead?.takeStarted(schedule) : undefined;
      done += batch;
      const outcomes = await this.runMany(schedule, batch, undefined, started);
      const hit = outcomes.find((o) => o.kind === 'fail' && o.signatures.includes(target.signature));
      if (hit?.kind === 'fail') {
        this.shrinkSteps++;
        this.minimal = { schedule, failures: hit.failures, ...(hit.record ? { record: hit.record } : {}) };
        this.accepted.push(this.minimal);
        return false;
      }
      for (const outcome of outcomes) {
        if (outcome.kind !== 'fail') continue;
        const other = outcome.signatures[0]!;
        if (!this.findings.some((f) => f.signature === other)) {
          this.findings.push({ signature: other, schedule, failures: outcome.failures, reproduced: { k: 1, n: 1 }, confirmed: false });
        }
      }
      if (outcomes.some((o) => o.kind === 'fail') && (lastShare ? !this.fitsAt(until) : this.overBudget(until))) break;
    }
    return true;
  }

  /**
   * The last share of shrinking: fast-check shrinks in its own order and may run out of budget while the minimal
   * schedule still holds a race or a second terminating signal, which then takes the blame. Tries the minimal
   * schedule without it (every second signal at once, then one at a time) until one still fails or the shrink
   * deadline comes. Call after fast-check is done.
   */
  async dropSecondSignals(): Promise<void> {
    const isTerminating = this.settings.isTerminating;
    if (!this.target || !this.minimal || !isTerminating) return;
    const until = this.until('shrink');
    for (let progress = true; progress; ) {
      progress = false;
      for (const candidate of withoutSecondSignals(this.minimal.schedule, isTerminating)) {
        const key = JSON.stringify(candidate);
        if (this.cache.has(key)) continue;
        if (!this.fitsAt(until)) return;
        this.secondSignalTried = true;
        const cutBefore = this.budgetExhausted;
        this.budgetExhausted = false;
        const holds = await this.checkCandidate(candidate, until, true);
        if (!holds || !this.budgetExhausted) this.cache.set(key, holds); // a candidate cut short decided nothing
        this.budgetExhausted ||= cutBefore;
        if (!holds) {
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
      if (phase && !this.fits(phase)) break;
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
      this.trials++;
      const budget = this.settings.budget;
      const outcome = attempt === 0 && started ? await started : budget ? await budget.timed(() => this.trial(schedule)) : await this.trial(schedule);
      if (outcome.kind !== 'infrastructure') return outcome;
      this.infrastructureErrors++;
      if (attempt >= this.settings.infraRetries || !this.fitsAt(budget?.deadline ?? Infinity)) return { kind: 'pass' };
    }
  }

  private overBudget(until: number): boolean {
    if (this.shrinkTrials >= this.settings.shrinkTrials || this.now() - this.firstFailureAt! >= this.settings.shrinkMs || !this.fitsAt(until)) {
      this.budgetExhausted = true;
    }
    return this.budgetExhausted;
  }

  /** When fast-check's candidates must stop: the end of shrinking, less the last share while a second signal is left to drop. */
  private shrinkCutoff(): number {
    const end = this.until('shrink');
    const isTerminating = this.settings.isTerminating;
    if (!isTerminating || !this.minimal || withoutSecondSignals(this.minimal.schedule, isTerminating).length === 0) return end;
    const start = this.firstFailureAt!;
    return end - Math.max(0, end - start) * (this.settings.lastShare ?? 0.25);
  }

  /** The end of a phase: the caller's rule, else the budget's deadline, else none. */
  private until(phase: Phase): number {
    return this.settings.until?.(phase) ?? this.settings.budget?.deadline ?? Infinity;
  }

  private fits(phase: Phase): boolean {
    return this.fitsAt(this.until(phase));
  }

  private fitsAt(until: number): boolean {
    if (until === Infinity) return true;
    return this.now() + (this.settings.budget?.longestTrialMs ?? 0) <= until;
  }

  private now(): number {
    return (this.settings.now ?? (this.settings.budget ? () => this.settings.budget!.now() : Date.now))();
  }
}

/**
 * Smaller schedules with a single terminating signal: every race made a plain signal (its first signal) and every
 * terminating signal after the first dropped, all at once; then each race as either of its signals, and each later
 * signal dropped, one at a time. Empty when the schedule holds no second terminating signal.
 */
export function withoutSecondSignals(schedule: Schedule, isTerminating: (signal: SignalName) => boolean): Schedule[] {
  const terminating = schedule.map((e) => e.kind === 'race' || (e.kind === 'signal' && isTerminating(e.signal)));
  const first = terminating.indexOf(true);
  if (first < 0) return [];
  const later = terminating.flatMap((t, i) => (t && i > first ? [i] : []));
  const races = schedule.flatMap((e, i) => (e.kind === 'race' ? [i] : []));
  if (later.length === 0 && races.length === 0) return [];
  const plain = (e: Extract<FaultEvent, { kind: 'race' }>, signal: SignalName): FaultEvent => ({ at: e.at, kind: 'signal', signal, to: e.to });
  const all = schedule.flatMap((e, i) => (later.includes(i) ? [] : e.kind === 'race' ? [plain(e, e.signals[0]!)] : [e]));
  const one = [
    ...races.flatMap((i) => {
      const race = schedule[i] as Extract<FaultEvent, { kind: 'race' }>;
      return race.signals.map((signal) => schedule.map((e, j) => (j === i ? plain(race, signal) : e)));
    }),
    ...later.map((i) => schedule.filter((_, j) => j !== i)),
  ];
  const seen = new Set<string>();
  return [all, ...one].filter((c) => {
    const key = JSON.stringify(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
