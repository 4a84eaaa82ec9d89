import { dirname } from 'node:path';
import { journal } from '../leftovers/journal.js';
import type { LedgerEntry } from '../workload/ledger.js';
import type { EndedTrial } from './ending.js';
import { filesLeft } from './files.js';
import { readBackJobs } from './jobs.js';
import { dependencyRecord, readBackIds } from './readback.js';
import type { DependencyRecord, TrialRecord } from './record.js';

/** What is gathered once the target is gone. */
export interface CollectedTrial extends EndedTrial {
  /** Every request of the workload, in send order. */
  readonly ledger: LedgerEntry[];
  readonly readback: TrialRecord['readback'];
  readonly jobs: TrialRecord['jobs'];
  readonly dependencies: DependencyRecord[];
  readonly files: TrialRecord['files'];
  readonly socketEvidence: TrialRecord['sockets'];
}

/**
 * Once the target is gone: the traffic stopped, every event and alive check finished, the logs flushed; then what
 * the target acknowledged read back, how the dependencies stood, and which files it left.
 */
export async function collect(trial: EndedTrial): Promise<CollectedTrial> {
  const { stack, readyMs } = trial;
  trial.sampler.stop();
  const ledger = (await trial.traffic?.stop()) ?? [];
  await trial.playing;
  const sockets = await trial.sockets.end();
  await Promise.all(trial.pendingChecks);
  stack.target.logs.flush();
  const { readback, jobs } = await readBack(trial, ledger);
  // Dependencies must have stayed up unless signalled: how each stood once the target was gone.
  const dependencies = stack.dependencies.map((d) => dependencyRecord(d, (ms) => ms - readyMs));
  const files = filesLeft(trial.dataDir, trial.options.scenario.oracles.handles);
  return Object.assign(trial, { ledger, readback, jobs, dependencies, files, socketEvidence: sockets });
}

/** What the target acknowledged is read back once it is gone: the writes it stored, the jobs its worker did. */
async function readBack({ options, stack, dataDir }: EndedTrial, ledger: LedgerEntry[]): Promise<Pick<TrialRecord, 'readback' | 'jobs'>> {
  const { scenario, signal } = options;
  const { workload } = scenario;
  // Acknowledged writes come from `writes`, or from an exec client that marks its own.
  const writes = workload.writes?.readback ?? workload.exec?.readback;
  if (!writes && !workload.jobs) return {};
  journal.phase('reading-back', options.runId);
  const acked = (kind: LedgerEntry['kind']) =>
    ledger.flatMap((e) => {
      const id = kind === 'write' ? e.writeId : e.jobId;
      return e.kind === kind && e.outcome === 'ok' && id !== undefined ? [id] : [];
    });
  const ask = (ids: number[]) => ({ ids, target: scenario.target, ...(signal ? { signal } : {}) });
  const cwd = dirname(scenario.path);
  return {
    ...(writes ? { readback: await readBackIds(writes, dataDir, stack, cwd, ask(acked('write'))) } : {}),
    ...(workload.jobs ? { jobs: await readBackJobs(workload.jobs, dataDir, stack, cwd, ask(acked('job'))) } : {}),
  };
}
