import { execa } from 'execa';
import type { Scenario } from '../scenario/types.js';
import { statusForSignal } from '../signals.js';
import { readBack, storedIds } from './files.js';
import type { DependencyRecord, TrialRecord } from './record.js';
import type { Stack, StartedDependency } from './stack.js';

/** A read-back as a scenario writes it: `writes.readback`, `jobs.done`. */
type Readback = NonNullable<Scenario['workload']['writes']>['readback'];

/** How long a read-back command may take before the trial says it failed. */
const READBACK_TIMEOUT_MS = 10_000;

/**
 * The ids a read-back finds — the writes that reached storage, the jobs that were done: from a file in the data
 * directory, or from the output of a command — against the dependency that stores them (`{host}` and `{port}` name
 * where it listens), since that is where the data lives. Every occurrence, in order: an id found twice is there
 * twice (a job done twice).
 */
export async function readBackIds(readback: Readback, dataDir: string, stack: Stack, cwd: string): Promise<NonNullable<TrialRecord['readback']>> {
  if ('file' in readback) return readBack(dataDir, readback.file, readback.pattern);
  if ('http' in readback) return { file: readback.http, ids: [], error: 'http read-back: not built yet' };
  const where = `${readback.service ? `${readback.service}: ` : ''}${readback.exec.join(' ')}`;
  let endpoint: { host: string; port: number } | undefined;
  if (readback.service !== undefined) {
    const dependency = stack.dependencies.find((d) => d.spec.name === readback.service);
    endpoint = dependency?.started.endpoint;
    if (!endpoint) return { file: where, ids: [], error: `${readback.service} has no published port to read back from` };
    if (dependency!.started.mainExit) return { file: where, ids: [], error: `${readback.service} had exited` };
  }
  const fill = (arg: string) => {
    const filled = arg.replaceAll('{data_dir}', dataDir);
    return endpoint ? filled.replaceAll('{host}', endpoint.host).replaceAll('{port}', String(endpoint.port)) : filled;
  };
  const [file, ...args] = readback.exec.map(fill);
  const result = await execa(file!, args, { cwd, reject: false, stdin: 'ignore', timeout: READBACK_TIMEOUT_MS });
  const ids = storedIds(String(result.stdout ?? ''), readback.pattern);
  if (result.exitCode !== 0 || result.failed) {
    return { file: where, ids, error: `${result.shortMessage ?? `exit ${result.exitCode}`}${result.stderr ? `: ${String(result.stderr).trim().slice(0, 200)}` : ''}` };
  }
  return { file: where, ids };
}

/** A dependency as the oracles see it: where it ran, when it was ready, and how it ended if it did. */
export function dependencyRecord({ spec, started, readyMs }: StartedDependency, rel: (ms: number) => number): DependencyRecord {
  const exit = started.mainExit;
  return {
    name: spec.name,
    id: started.id,
    pid: started.pid,
    ...(started.image ? { image: started.image } : {}),
    readyMs: rel(readyMs),
    spawnToReadyMs: readyMs - started.spawnedAtMs,
    expect: spec.expect,
    ...(exit
      ? { exit: { status: exit.exitCode ?? (exit.signal ? statusForSignal(exit.signal) : -1), atMs: rel(exit.atMs) } }
      : {}),
  };
}
