import { execa } from 'execa';
import type { Scenario, Target } from '../scenario/types.js';
import { statusForSignal } from '../signals.js';
import { SigstormError } from '../errors.js';
import { readBack, storedIds } from './files.js';
import { readEach, type HttpReadBack } from './readback-http.js';
import type { DependencyRecord, TrialRecord } from './record.js';
import { withRestartedTarget } from './restart.js';
import type { Stack, StartedDependency } from './stack.js';

/** A read-back as a scenario writes it: `writes.readback`, `jobs.done`. */
type Readback = NonNullable<Scenario['workload']['writes']>['readback'];
type ReadBack = NonNullable<TrialRecord['readback']>;

/** What an HTTP read-back needs beyond the others: the ids to ask about, the target to restart, and the interrupt. */
export interface HttpAsk {
  ids: readonly number[];
  target: Target;
  signal?: AbortSignal;
}

/** How long a read-back command may take before the trial says it failed. */
const READBACK_TIMEOUT_MS = 10_000;

/**
 * The ids a read-back finds — the writes that reached storage, the jobs that were done: from a file in the data
 * directory, from the output of a command — against the dependency that stores them (`{host}` and `{port}` name
 * where it listens), since that is where the data lives — or from a GET per id, to that dependency or to the target
 * started again over its data. Every occurrence, in order: an id found twice is there twice (a job done twice).
 */
export async function readBackIds(readback: Readback, dataDir: string, stack: Stack, cwd: string, ask: HttpAsk): Promise<ReadBack> {
  if ('file' in readback) return readBack(dataDir, readback.file, readback.pattern);
  if ('http' in readback) return readBackOverHttp(readback, stack, ask);
  const where = `${readback.service ? `${readback.service}: ` : ''}${readback.exec.join(' ')}`;
  const endpoint = readback.service !== undefined ? dependencyEndpoint(stack, readback.service) : undefined;
  if (endpoint && 'error' in endpoint) return { file: where, ids: [], error: endpoint.error };
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

/**
 * Asks a dependency, or the target restarted (the first instance is gone by now), about each acknowledged id. A
 * read-back that cannot be made at all leaves every id unread: not one of them is proven lost.
 */
async function readBackOverHttp(readback: Extract<Readback, { http: string }>, stack: Stack, { ids, target, signal }: HttpAsk): Promise<ReadBack> {
  const where = `${readback.service ?? 'the restarted target'}: GET ${readback.http}`;
  const unread = (error: string): ReadBack => ({ file: where, ids: [], ...(ids.length ? { unread: [...ids] } : {}), error });
  const result = (read: HttpReadBack): ReadBack => ({ file: where, ids: read.stored, ...(read.unread.length ? { unread: read.unread, error: read.error } : {}) });
  if (ids.length === 0) return { file: where, ids: [] };
  if (signal?.aborted) return unread('interrupted');
  if (readback.service !== undefined) {
    const endpoint = dependencyEndpoint(stack, readback.service);
    return 'error' in endpoint ? unread(endpoint.error) : result(await readEach(endpoint, readback.http, ids, signal));
  }
  try {
    return await withRestartedTarget(stack, target, signal, (again) =>
      again.endpoint ? readEach(again.endpoint, readback.http, ids, signal).then(result) : Promise.resolve(unread('the target publishes no port to ask')),
    );
  } catch (error) {
    // Not ready, or exited on the way up: the verdict must say why, and the writes stay unproven.
    if (error instanceof SigstormError) return unread(error.message);
    throw error;
  }
}

/** Where a dependency listens, while it is still up. */
function dependencyEndpoint(stack: Stack, service: string): { host: string; port: number } | { error: string } {
  const dependency = stack.dependencies.find((d) => d.spec.name === service);
  const endpoint = dependency?.started.endpoint;
  if (!endpoint) return { error: `${service} has no published port to read back from` };
  if (dependency!.started.mainExit) return { error: `${service} had exited` };
  return endpoint;
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
