import type { TrialRecord } from '../trial/record.js';
import { alive } from './alive.js';
import { deadline } from './deadline.js';
import { diagnose } from './diagnose.js';
import { dependencies } from './dependencies.js';
import { ackedWrites } from './acked-writes.js';
import { exitStatus } from './exit-status.js';
import { handles } from './handles.js';
import { jobs } from './jobs.js';
import { lostRequests } from './lost-requests.js';
import { judgeRollout } from './rollout.js';
import { secondSignal } from './second-signal.js';
import { combine, type Oracle, type OracleResult, type Verdict } from './verdict.js';

export const oracles: Record<string, Oracle> = {
  'exit-status': exitStatus,
  deadline,
  alive,
  'second-signal': secondSignal,
  'lost-requests': lostRequests,
  'acked-writes': ackedWrites,
  jobs,
  handles,
  dependencies,
};

/**
 * Runs every oracle over a finished trial. An oracle that throws yields `unknown` with its error, never a crash.
 * Each failure carries its likely root cause (diagnose.ts).
 */
export function judge(record: TrialRecord): { verdict: Verdict; results: OracleResult[] } {
  // A rollout is judged replica by replica with these same oracles, and across the rollout (rollout.ts).
  return record.rollout ? judgeRollout(record, judgeTrial) : judgeTrial(record);
}

function judgeTrial(record: TrialRecord): { verdict: Verdict; results: OracleResult[] } {
  const judged = Object.entries(oracles).flatMap(([name, oracle]) => {
    try {
      return oracle(record);
    } catch (error) {
      return [{ oracle: name, verdict: 'unknown' as const, message: `oracle crashed: ${(error as Error).message}` }];
    }
  });
  const results = diagnose(record, judged);
  return { verdict: combine(results), results };
}
