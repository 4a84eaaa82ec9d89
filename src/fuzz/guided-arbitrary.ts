import fc from 'fast-check';
import type { Schedule } from '../schedule/event.js';
import { smallerSchedules } from './smaller-schedules.js';

/** The context of a value: fast-check's own draw (its context kept inside), or a draw from the corpus. */
type Context = { drawn: 'fast-check'; inner: unknown } | { drawn: 'corpus' };

/**
 * The schedule arbitrary of a guided campaign: generation `j` (fast-check's j-th generated run; every run has a
 * random stream of its own) is `fromCorpus(j)` when that gives a schedule, and otherwise exactly what `inner` draws
 * from the run's stream, so every draw not taken from the corpus, and how it shrinks, is what an unguided campaign
 * with the same seed has there. A schedule from the corpus shrinks like any failure, through `smallerSchedules`, and
 * each smaller one shrinks the same way. Generations are counted: use one instance per fc.check or fc.sample.
 */
export class GuidedArbitrary extends fc.Arbitrary<Schedule> {
  private generated = 0;

  constructor(
    private readonly inner: fc.Arbitrary<Schedule>,
    private readonly fromCorpus: (generation: number) => Schedule | undefined,
    private readonly step: number,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<Schedule> {
    const drawn = this.fromCorpus(this.generated++);
    if (drawn) return corpusValue(drawn);
    return this.wrap(this.inner.generate(mrng, biasFactor));
  }

  canShrinkWithoutContext(value: unknown): value is Schedule {
    return this.inner.canShrinkWithoutContext(value);
  }

  shrink(value: Schedule, context: unknown): fc.Stream<fc.Value<Schedule>> {
    const c = context as Context | undefined;
    if (c?.drawn === 'corpus') return fc.Stream.of(...smallerSchedules(value, this.step)).map(corpusValue);
    // fast-check's own (or an example's, which has no context)
    return this.inner.shrink(value, c?.drawn === 'fast-check' ? c.inner : context).map((v) => this.wrap(v));
  }

  private wrap(v: fc.Value<Schedule>): fc.Value<Schedule> {
    return new fc.Value(v.value_, { drawn: 'fast-check', inner: v.context } satisfies Context);
  }
}

const corpusValue = (schedule: Schedule): fc.Value<Schedule> => new fc.Value(schedule, { drawn: 'corpus' } satisfies Context);
