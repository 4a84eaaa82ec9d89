import fc from 'fast-check';

/**
 * A rollout's size: always `n` when drawn (exploring plays the scenario's rollout), and when shrunk, fewer: 1 first,
 * then each size up to n − 1. One replica is the smallest rollout that still replaces a running one (a new replica
 * surges beside it, or it stops first): Kubernetes plays a Deployment of one replica so, and the endpoint lag, a
 * drain and a warm-up meet the traffic there as in a larger one. Whether the smaller rollout stands for the finding is
 * the campaign's rule: it must fail with the same signature, and reproduce about as often (confirm.ts).
 */
export function fewerReplicas(n: number): fc.Arbitrary<number> {
  return new FewerReplicas(n);
}

class FewerReplicas extends fc.Arbitrary<number> {
  constructor(private readonly n: number) {
    super();
  }

  generate(): fc.Value<number> {
    return new fc.Value(this.n, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is number {
    return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= this.n;
  }

  shrink(value: number): fc.Stream<fc.Value<number>> {
    return fc.Stream.of(...Array.from({ length: value - 1 }, (_, i) => new fc.Value(i + 1, undefined)));
  }
}
