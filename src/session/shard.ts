import { createHash } from 'node:crypto';
import { badInput } from '../errors.js';
import type { Shard } from '../report/result.js';

/** Parses `--shard k/n` (1 ≤ k ≤ n, as Jest and Playwright write it). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (!match || total < 1 || index < 1 || index > total) {
    throw badInput(`--shard: expected k/n with 1 ≤ k ≤ n (e.g. 1/4), got ${JSON.stringify(text)}`);
  }
  return { index, total };
}

/**
 * The scenarios of shard k of n: sorted by path (as given, with `/` separators, so every machine sorts alike),
 * then every n-th starting at the k-th. Together the shards hold each scenario exactly once. Without a shard: all
 * of them, in the order given.
 */
export function selectShard<T extends string>(paths: readonly T[], shard: Shard | undefined): T[] {
  const unique = [...new Set(paths)];
  if (!shard) return unique;
  const sorted = unique.sort((a, b) => (posix(a) < posix(b) ? -1 : posix(a) > posix(b) ? 1 : 0));
  return sorted.filter((_, i) => i % shard.total === shard.index - 1);
}

const posix = (path: string) => path.replace(/\\/g, '/').replace(/^\.\//, '');

/**
 * The fast-check seed of one scenario in a multi-scenario campaign: derived from the base seed and the scenario's
 * path, so a scenario gets the same seed whichever shard runs it, and different scenarios get different ones.
 */
export function seedFor(baseSeed: number, scenarioPath: string): number {
  const digest = createHash('sha256').update(`${baseSeed}\0${posix(scenarioPath)}`).digest();
  return digest.readUInt32BE(0) & 0x7fffffff;
}
