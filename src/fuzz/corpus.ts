import type { Schedule } from '../schedule/event.js';
import { mutate, type MutationKind, type MutationSpace } from './mutation.js';
import { isBehaviour, noveltyOf, observedLines, type ObservedLine } from './novelty.js';
import type { TrialOutcome } from './trial-fn.js';

// A guided campaign's corpus: the schedules whose trials showed something no earlier one did (novelty.ts), and the
// draws made from them by mutation (mutation.ts). The seed still decides every draw: draw i is a pure function of the
// seed, i, and the entries added by the schedules judged before run i − LAG; whether it comes from the corpus at all,
// which entry and which mutation, all come from a random stream seeded from (seed, i) alone.

/**
 * Draw i sees the corpus as it stood once run i − LAG − 1 had been judged. LAG is at least how far the lookahead runs
 * trials ahead at the default width (2 × 8, lookahead.ts), so the schedules it starts ahead are the ones fast-check
 * will ask for, and whatever `--parallel` is, draw i is made from the same entries (trials end in any order).
 */
export const LAG = 16;
/**
 * One draw in three from the corpus once it holds an entry draw i may see: two in three stay fast-check's uniform
 * draws, so the fault space keeps being covered (and the horizon keeps growing, scouting goes on) at two thirds of
 * the pace while the corpus is worked on. A corpus of rare behaviour is small, and its mutations are near-misses'
 * neighbours: a third of the draws is enough to walk to a window a near-miss points at within a few dozen draws.
 */
export const CORPUS_SHARE = 1 / 3;
/**
 * How likely an entry is to be mutated: one that showed a new near-miss 8 times, one that showed other new behaviour
 * 4 times as likely as one that only fell in a new fault cell (nearly every early draw does).
 */
export const weightOf = (e: Pick<CorpusEntry, 'novel'>): number => (e.novel.some((f) => f.startsWith('near: ')) ? 8 : e.novel.some(isBehaviour) ? 4 : 1);
/** Mutations tried per draw before it falls back to fast-check's own. */
const TRIES = 4;

/** A schedule that showed something new: the run that judged it, what was new, and the lines its trial saw. */
export interface CorpusEntry {
  run: number;
  schedule: Schedule;
  /** Features no earlier judged schedule showed (novelty.ts). */
  novel: string[];
  lines: ObservedLine[];
}

/** A draw from the corpus: the mutated schedule, which entry it came from (its run) and which mutation made it. */
export interface CorpusDraw {
  schedule: Schedule;
  from: number;
  mutation: MutationKind;
}

/** A random stream from a 32-bit seed (mulberry32): small, fast, and the same in every Node. */
export function randomFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The random stream of draw `run` of a campaign seeded `seed`: independent of fast-check's own stream for that run. */
export const drawRandom = (seed: number, run: number): (() => number) => randomFrom(Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(run + 1, 0x85ebca6b));

/**
 * Draw `run` of a guided campaign seeded `seed`, given the corpus `entries` (all of them: those it may not see yet are
 * left out here). Undefined: the draw is fast-check's own (no entry visible, the draw's share says so, or no mutation
 * applied in TRIES).
 */
export function drawFromCorpus(entries: readonly CorpusEntry[], seed: number, run: number, space: MutationSpace): CorpusDraw | undefined {
  const visible = entries.filter((e) => e.run < run - LAG);
  const rand = drawRandom(seed, run);
  if (visible.length === 0 || rand() >= CORPUS_SHARE) return undefined;
  const weights = visible.map(weightOf);
  for (let t = 0; t < TRIES; t++) {
    let r = rand() * weights.reduce((a, b) => a + b, 0);
    const k = weights.findIndex((w) => (r -= w) < 0);
    const base = visible[k < 0 ? visible.length - 1 : k]!;
    const mutated = mutate(base, rand, space);
    if (mutated) return { schedule: mutated.schedule, from: base.run, mutation: mutated.kind };
  }
  return undefined;
}

/**
 * The corpus as a campaign keeps it. Trials end in any order (run ahead, in parallel), so what each showed waits under
 * its schedule until fast-check judges that schedule (as time-watch.ts does); features count as seen, and entries are
 * added, in the order of judging.
 */
export class Corpus {
  private readonly pending = new Map<string, { features: Set<string>; lines?: ObservedLine[] }>();
  private readonly seen = new Set<string>();
  private readonly list: CorpusEntry[] = [];
  /** The draws made from the corpus, by run: the same run always draws the same (for the report's count). */
  private readonly draws = new Map<number, string>();

  constructor(
    private readonly seed: number,
    private readonly space: MutationSpace,
    private readonly features: { step: number; targetName: string },
  ) {}

  get entries(): readonly CorpusEntry[] {
    return this.list;
  }

  /** What generation depends on besides the run: drawn ahead again when it changes. */
  get key(): number {
    return this.list.length;
  }

  /** Draw `run`, from the corpus, or undefined: fast-check's own. */
  draw(run: number): Schedule | undefined {
    const drawn = drawFromCorpus(this.list, this.seed, run, this.space);
    if (drawn) this.draws.set(run, JSON.stringify(drawn.schedule));
    return drawn?.schedule;
  }

  /** Whether exploring's run `run` holds the schedule the corpus drew for it. */
  drewFor(run: number, schedule: Schedule): boolean {
    return this.draws.get(run) === JSON.stringify(schedule);
  }

  trialEnded(schedule: Schedule, outcome: TrialOutcome): void {
    if (outcome.kind === 'infrastructure' || !outcome.record) return;
    const key = JSON.stringify(schedule);
    const known = this.pending.get(key) ?? { features: new Set<string>() };
    for (const f of noveltyOf(outcome.record, schedule, this.features)) known.features.add(f);
    known.lines ??= observedLines(outcome.record, schedule);
    this.pending.set(key, known);
  }

  /** Exploring judged `schedule`, its run `run`: it joins the corpus if its trials showed a feature none before did. */
  judged(run: number, schedule: Schedule): void {
    const key = JSON.stringify(schedule);
    const shown = this.pending.get(key);
    this.pending.delete(key);
    if (!shown) return;
    const novel = [...shown.features].filter((f) => !this.seen.has(f));
    for (const f of novel) this.seen.add(f);
    if (novel.length) this.list.push({ run, schedule, novel, lines: shown.lines ?? [] });
  }
}
