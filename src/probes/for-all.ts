import type { Probe } from './probe.js';

/** Ready once every probe has held (each once is enough); checks those still pending together. */
export function forAll(...probes: Probe[]): Probe {
  const pending = new Set(probes);
  return {
    async check(target) {
      const held = await Promise.all([...pending].map(async (probe) => [probe, await probe.check(target)] as const));
      for (const [probe, ok] of held) if (ok) pending.delete(probe);
      return pending.size === 0;
    },
    waitingFor: () => [...pending].map((probe) => probe.waitingFor()).join(' and '),
  };
}
