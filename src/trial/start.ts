import { infrastructure } from '../errors.js';
import { readStat } from '../host/procfs.js';
import { journal } from '../leftovers/journal.js';
import { startStack, type Stack } from './stack.js';
import type { TrialOptions } from './state.js';

/** The start: the trial's stack over its data directory, every service labelled as this run's (for `sigstorm gc`). */
export async function startTrialStack(options: TrialOptions, dataDir: string): Promise<Stack> {
  const { scenario, backend } = options;
  if (options.signal?.aborted) throw infrastructure('interrupted before the target was started');
  journal.phase('starting', options.runId);
  return await startStack({
    scenario,
    backend,
    schedule: options.schedule,
    ...(options.signal ? { signal: options.signal } : {}),
    context: {
      dataDir,
      runId: options.runId,
      scenario: scenario.name,
      labels: {
        sigstorm: 'true',
        'sigstorm.run': options.runId,
        'sigstorm.scenario': scenario.name,
        'sigstorm.pid': String(process.pid),
        // With the pid, names this sigstorm process even after pid reuse (`sigstorm gc`).
        'sigstorm.pid-start': String(readStat(process.pid)?.startTime ?? 0),
      },
    },
  });
}
