import { engineLost } from '../backends/docker/engine.js';
import { SigstormError } from '../errors.js';
import type { Schedule } from '../schedule/event.js';
import { signatureOf, type TrialFn } from '../fuzz/trial-fn.js';
import { judge } from '../oracles/judge.js';
import type { OracleResult, Verdict } from '../oracles/verdict.js';
import type { TrialRecord } from '../trial/record.js';
import { runRolloutTrial } from '../trial/rollout.js';
import { runTrial } from '../trial/trial.js';
import type { Session } from './open.js';

export interface JudgedTrial {
  trial: TrialRecord;
  verdict: Verdict;
  results: OracleResult[];
}

/** One trial of `schedule` against a fresh target, judged by every oracle. */
export async function judgedTrial(session: Session, schedule: Schedule, runId: string, signal?: AbortSignal): Promise<JudgedTrial> {
  const options = { scenario: session.scenario, backend: session.backend, schedule, runId, ...(signal ? { signal } : {}) };
  // A rollout composes the single target's parts over several replicas (trial/rollout.ts).
  const trial = await (session.scenario.rollout ? runRolloutTrial(options) : runTrial(options));
  return { trial, ...judge(trial) };
}

/** When a trial failed because the Docker engine went away mid-run, the error to show instead; else undefined. */
export const lostEngine = (session: Session, error: unknown): Promise<SigstormError | undefined> =>
  session.backend.name === 'docker' ? engineLost(error) : Promise.resolve(undefined);

/** Runs one trial and reduces it to what the fuzzer needs; infrastructure trouble is reported, not thrown. */
export function trialFunction(session: Session, runId: string, signal?: AbortSignal, onFatal?: (error: SigstormError) => void): TrialFn {
  let n = 0;
  return async (schedule) => {
    if (signal?.aborted) return { kind: 'pass' };
    try {
      const { trial, verdict, results } = await judgedTrial(session, schedule, `${runId}-${++n}`, signal);
      if (signal?.aborted) return { kind: 'pass' }; // an interrupted trial decides nothing
      // Only a trial every oracle passed is kept as the passing record (shown beside a failing one); how long its
      // start-up took (not cut short by a signal) is the campaign's start-up window (fuzz/arbitrary.ts).
      if (verdict !== 'fail') {
        return { kind: 'pass', ...(verdict === 'pass' ? { record: trial } : {}), ...(trial.exitedInStartup ? {} : { spawnToReadyMs: trial.spawnToReadyMs }) };
      }
      const failures = results.filter((r) => r.verdict === 'fail');
      return { kind: 'fail', signatures: failures.map(signatureOf), failures, record: trial };
    } catch (error) {
      const lost = signal?.aborted ? undefined : await lostEngine(session, error);
      if (lost) onFatal?.(lost);
      if (lost) return { kind: 'infrastructure', error: lost.message };
      if (error instanceof SigstormError && error.kind === 'infrastructure') return { kind: 'infrastructure', error: error.message };
      throw error;
    }
  };
}
