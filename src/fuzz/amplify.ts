import type { Budget } from './budget.js';
import type { Neighbourhood } from './neighbourhood.js';
import { neighbours } from './neighbours.js';
import { describeChanges } from './variant-changes.js';
import { variantKey, type Variant } from './variant.js';
import { wilson } from './wilson.js';

// Amplification: from a schedule that fails now and then, search its neighbourhood (neighbours.ts) for the variant
// that fails with the same signature most often. Pure except for `amplifySearch`, which drives an injected trial
// function.

/** A variant and how often it failed with the signature so far. */
export interface Arm {
  variant: Variant;
  failed: number;
  runs: number;
}

const low = (a: Arm) => wilson(a.failed, a.runs).low;
const rate = (a: Arm) => (a.runs ? a.failed / a.runs : 0);

/** Best first: by the Wilson lower bound of the rate, then the rate, then fewer runs (cheaper to be sure of). */
export const ranked = (arms: readonly Arm[]): Arm[] => [...arms].sort((x, y) => low(y) - low(x) || rate(y) - rate(x) || x.runs - y.runs);

/**
 * One rung of successive halving: the better half goes on (at least one). Arms that never failed are dropped
 * when another did: the search is for the failure, and a never-failing arm is the costliest to tell apart.
 */
export function survivors(arms: readonly Arm[]): Arm[] {
  const order = ranked(arms);
  const failing = order.filter((a) => a.failed > 0);
  const pool = failing.length ? failing : order;
  return pool.slice(0, Math.max(1, Math.ceil(arms.length / 2)));
}

export interface SearchOptions {
  original: Variant;
  /** Variants tried in the first round beside the original's neighbours (closer anchors: src/fuzz/closer-anchors.ts). */
  extra?: Variant[];
  /** How often the original reproduced when it was confirmed (it starts with these counts). */
  recorded: { failed: number; runs: number };
  /** Where a variant may move (the scenario's fault space and stop model). */
  space: Neighbourhood;
  /** One trial of a variant: true when it failed with the signature, undefined when it decided nothing. */
  run: (v: Variant) => Promise<boolean | undefined>;
  parallel: number;
  budget: Budget;
  /** Runs of a round's winner before it may replace the best so far (its interval). */
  confirmRuns: number;
  /** The search ends once the best fails this often and its lower bound is above the original's upper bound. */
  goal: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface SearchResult {
  original: Arm;
  best: Arm;
  /** Every arm tried, the original first. */
  arms: Arm[];
  trials: number;
  goalMet: boolean;
}

/** How many times a winner at the goal rate may double its runs to show it beats the original (20 → 160 runs). */
const PROVE_ROUNDS = 3;

/** Whether `best` met the goal against `original`. */
export const meetsGoal = (best: Arm, original: Arm, goal: number): boolean =>
  best !== original && rate(best) >= goal && low(best) > wilson(original.failed, original.runs).high;

/** How many times the arms of a round that found nothing better race again, with twice the trials each. */
const RERACES = 2;

/**
 * Hill climbing by successive halving: each round the neighbours of the best so far race in rungs of doubling
 * trials, the better half going on; the round's winner is run up to `confirmRuns` and replaces the best when its
 * lower bound is higher (then run on while that can still show it meets the goal). A round whose winner is not
 * better races again (up to RERACES times) among its other arms that failed at all, from twice the trials: after two
 * trials each a 75% variant is behind a 50% one 9 times in 64 (level 22 in 64), and the budget is better spent there.
 * Ends at the goal, when no neighbour is better, or at the budget.
 */
export async function amplifySearch(o: SearchOptions): Promise<SearchResult> {
  const original: Arm = { variant: o.original, ...o.recorded };
  const arms: Arm[] = [original];
  const seen = new Set([variantKey(o.original)]);
  let best = original;
  let trials = 0;
  const stopped = () => o.signal?.aborted === true || !o.budget.fits();

  // Runs `perArm` more trials of each arm, `parallel` at once; stops starting trials at the budget.
  const play = async (pool: Arm[], perArm: number) => {
    const jobs = pool.flatMap((arm) => Array.from({ length: perArm }, () => arm));
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !stopped()) {
        const arm = jobs[next++]!;
        const failed = await o.budget.timed(() => o.run(arm.variant));
        if (failed === undefined) continue;
        trials++;
        arm.runs++;
        if (failed) arm.failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, worker));
  };

  // A winner already failing at the goal rate is run on until its interval clears the original's (an 8/10 original's
  // upper bound is 94%: only about 60 failing runs in a row put a lower bound above it), or until it falls below the
  // goal or runs out of `PROVE_ROUNDS` doublings.
  const prove = async (arm: Arm) => {
    for (let round = 0; round < PROVE_ROUNDS && !stopped() && rate(arm) >= o.goal && !meetsGoal(arm, original, o.goal); round++) await play([arm], arm.runs);
  };

  // Races `contenders` in rungs from `perArm` trials each and confirms the winner: it, when it beats the best so far.
  const race = async (contenders: Arm[], perArm: number): Promise<Arm | undefined> => {
    let pool = contenders;
    for (let n = perArm; pool.length > 1 && !stopped(); n *= 2) {
      await play(pool, n);
      pool = survivors(pool);
    }
    const winner = pool[0]!;
    if (winner.failed === 0) return undefined; // nothing here fails at all
    await play([winner], Math.max(0, o.confirmRuns - winner.runs));
    o.onProgress?.(`round winner ${winner.failed}/${winner.runs}: ${describeChanges(o.original, winner.variant, o.space).join('; ') || 'the original'}`);
    return ranked([best, winner])[0] === winner && low(winner) > low(best) ? winner : undefined;
  };

  if (original.runs === 0) await play([original], o.confirmRuns);
  while (!stopped() && !meetsGoal(best, original, o.goal)) {
    const around = best === original ? [...(o.extra ?? []), ...neighbours(best.variant, o.space)] : neighbours(best.variant, o.space);
    const fresh = around.filter((v) => !seen.has(variantKey(v)) && seen.add(variantKey(v)));
    if (!fresh.length) break;
    const round: Arm[] = fresh.map((variant) => ({ variant, failed: 0, runs: 0 }));
    arms.push(...round);
    o.onProgress?.(`trying ${round.length} variant(s) around the best so far (${best.failed}/${best.runs})`);
    let winner = await race(round, Math.max(2, o.parallel));
    for (let again = 1; !winner && again <= RERACES && !stopped(); again++) {
      const failing = round.filter((a) => a.failed > 0 && a.runs < o.confirmRuns);
      if (!failing.length) break;
      o.onProgress?.(`racing again: ${failing.length} variant(s) of the round that failed, from ${2 ** again * Math.max(2, o.parallel)} trials each`);
      winner = await race(failing, 2 ** again * Math.max(2, o.parallel));
    }
    if (!winner) break;
    best = winner;
    await prove(best);
  }
  return { original, best, arms, trials, goalMet: meetsGoal(best, original, o.goal) };
}
