import { ExitCode } from '../errors.js';
import { resultSet, type ResultSet, type Shard } from './result.js';

/**
 * Merges result sets (shards of one campaign) into one: every scenario once per run, sorted by path, the combined
 * verdict and exit status recomputed from the scenarios. A shard missing from a complete `n` (e.g. 1/3 and 3/3
 * without 2/3) is named in `missingShards` and makes the exit status an infrastructure failure: scenarios went
 * untested.
 */
export function mergeResultSets(sets: readonly ResultSet[]): ResultSet {
  const seen = new Set<string>();
  const scenarios = sets
    .flatMap((s) => s.scenarios)
    .filter((s) => {
      const key = `${s.command}\0${s.scenario.path}\0${s.runId ?? ''}\0${s.verdict}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.scenario.path < b.scenario.path ? -1 : a.scenario.path > b.scenario.path ? 1 : 0));
  const shards = uniqueShards(sets.flatMap((s) => s.shards));
  const seeds = new Set(sets.map((s) => s.baseSeed));
  const merged = resultSet(scenarios, {
    shards,
    ...(seeds.size === 1 && [...seeds][0] !== undefined ? { baseSeed: [...seeds][0]! } : {}),
    interrupted: sets.some((s) => s.interrupted),
    // Shards run side by side: the merged run took as long as its slowest shard.
    durationMs: Math.max(0, ...sets.map((s) => s.durationMs)),
  });
  const missing = missingShards(shards);
  if (!missing.length) return merged;
  return { ...merged, verdict: merged.verdict === 'fail' ? 'fail' : 'unknown', exitCode: Math.max(merged.exitCode, ExitCode.infrastructure), missingShards: missing };
}

function uniqueShards(shards: Shard[]): Shard[] {
  const byKey = new Map(shards.map((s) => [`${s.total}/${s.index}`, s]));
  return [...byKey.values()].sort((a, b) => a.total - b.total || a.index - b.index);
}

/** For each shard count seen, the shards of it that are not there. */
export function missingShards(shards: readonly Shard[]): Shard[] {
  const out: Shard[] = [];
  for (const total of new Set(shards.map((s) => s.total))) {
    for (let index = 1; index <= total; index++) {
      if (!shards.some((s) => s.total === total && s.index === index)) out.push({ index, total });
    }
  }
  return out;
}
