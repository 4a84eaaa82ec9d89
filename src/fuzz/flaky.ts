import type { Schedule } from '../faults/event.js';
import type { OracleResult } from '../oracles/verdict.js';
import type { TrialRecord } from '../trial/record.js';
import { cleanRunsNeeded } from './wilson.js';

/** What one trial of a schedule came to, as the fuzzer needs it. */
export type TrialOutcome =
  | { kind: 'pass' }
  | { kind: 'fail'; signatures: string[]; failures: OracleResult[]; record?: TrialRecord }
  | { kind: 'infrastructure'; error: string };

export type TrialFn = (schedule: Schedule) => Promise<TrialOutcome>;

/** A schedule accepted as failing, with what failed and the trial that showed it. */
export interface FailingStep {
  schedule: Schedule;
  failures: OracleResult[];
  record?: TrialRecord;
}

export interface Finding {
  signature: string;
  schedule: Schedule;
  failures: OracleResult[];
  /** Failed k of n re-runs when first seen. */
  reproduced: { k: number; n: number };
  confirmed: boolean;
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
}

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
  /** When the failure being shrunk was first seen (ms on the settings' clock). */
  firstFailureAt: number | undefined;
  private shrinkTrials = 0;
  private readonly cache = new Map<string, boolean>();

  constructor(
    private readonly trial: TrialFn,
    private readonly settings: FlakySettings,
  ) {}

  /** fast-check's predicate: true = the schedule holds (or cannot be judged), false = it fails the target signature. */
  async check(schedule: Schedule): Promise<boolean> {
    const key = JSON.stringify(schedule);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const holds = this.target ? await this.checkCandidate(schedule) : await this.explore(schedule);
    this.cache.set(key, holds);
    return holds;
  }

  private async explore(schedule: Schedule): Promise<boolean> {
    const first = await this.run(schedule);
    if (first.kind !== 'fail') return true;
    let k = 0;
    for (const again of await this.runMany(schedule, this.settings.estimateRuns)) {
      if (again.kind === 'fail' && again.signatures.includes(first.signatures[0]!)) k++;
    }
    const signature = first.signatures[0]!;
    const confirmed = k > 0;
    this.findings.push({ signature, schedule, failures: first.failures, reproduced: { k: k + 1, n: this.settings.estimateRuns + 1 }, confirmed });
    if (!confirmed) return true;
    const rate = (k + 1) / (this.settings.estimateRuns + 1);
    this.target = { signature, rate, cleanRuns: cleanRunsNeeded(rate, 0.05, this.settings.maxCleanRuns) };
    this.original = schedule;
    this.minimal = { schedule, failures: first.failures, ...(first.record ? { record: first.record } : {}) };
    this.accepted.push(this.minimal);
    this.firstFailureAt = this.now(); // shrinking starts here, and so does its budget
    return false;
  }

  private async checkCandidate(schedule: Schedule): Promise<boolean> {
    if (this.overBudget()) return true;
    const target = this.target!;
    for (let done = 0; done < target.cleanRuns; ) {
      const batch = Math.min(this.batchSize(), target.cleanRuns - done);
      this.shrinkTrials += batch;
      done += batch;
      const outcomes = await this.runMany(schedule, batch);
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
      if (outcomes.some((o) => o.kind === 'fail') && this.overBudget()) break;
    }
    return true;
  }

  private batchSize(): number {
    return Math.max(1, Math.floor(this.settings.parallel ?? 1));
  }

  /** `runs` trials of one schedule, `parallel` at a time, outcomes in start order. */
  private async runMany(schedule: Schedule, runs: number): Promise<TrialOutcome[]> {
    const outcomes: TrialOutcome[] = [];
    while (outcomes.length < runs) {
      const batch = Math.min(this.batchSize(), runs - outcomes.length);
      outcomes.push(...(await Promise.all(Array.from({ length: batch }, () => this.run(schedule)))));
    }
    return outcomes;
  }

  /** One trial, with infrastructure errors retried; a persistent one reads as a pass and never steers shrinking. */
  private async run(schedule: Schedule): Promise<TrialOutcome> {
    for (let attempt = 0; ; attempt++) {
      this.trials++;
      const outcome = await this.trial(schedule);
      if (outcome.kind !== 'infrastructure') return outcome;
      this.infrastructureErrors++;
      if (attempt >= this.settings.infraRetries) return { kind: 'pass' };
    }
  }

  private overBudget(): boolean {
    if (this.shrinkTrials >= this.settings.shrinkTrials || this.now() - this.firstFailureAt! >= this.settings.shrinkMs) {
      this.budgetExhausted = true;
    }
    return this.budgetExhausted;
  }

  private now(): number {
    return (this.settings.now ?? Date.now)();
  }
}
