import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/backends/backend.js';
import { loadScenario } from '../../src/scenario/load.js';
import { run } from '../../src/session/run.js';
// @ts-expect-error plain JS module shared with `npm run zoo`
import { checkZooRow, matrixScenario } from '../../scripts/zoo-check.mjs';
import { containersWithLabel, networksWithLabel } from '../helpers/docker.js';

// The whole zoo, as `npm run zoo` runs it: real images, real processes, real signals and real traffic.
interface Expected {
  oracle?: string;
  status?: number;
  diagnosis?: string;
}
const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8')) as {
  targets: { scenario: string; diagnosis?: string; env?: Record<string, string>; expect: Partial<Record<BackendName, Expected>> }[];
};
// The rollout pairs on docker are left to test/e2e/rollout-docker.test.ts (one pair) and `npm run zoo`: eight more
// rollouts of four containers each would cost `npm test` about a minute.
const rows = targets.flatMap((t) =>
  Object.entries(t.expect)
    .filter(([backend]) => !(backend === 'docker' && t.scenario.startsWith('rollout-')))
    .map(([backend, expected]) => ({ target: t, scenario: t.scenario, diagnosis: t.diagnosis, backend: backend as BackendName, expected: expected! })),
);
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-zoo-'));

describe('zoo: every seeded bug is caught by its intended oracle, every twin passes', () => {
  it.each(rows)('$scenario on $backend', async ({ target, diagnosis, backend, expected }) => {
    // A rare bug's row carries `env`, which puts its window at the instant its schedule hits.
    const { report } = await run(await matrixScenario(target, loadScenario), { backend, reportDir });
    expect(checkZooRow(report, expected, diagnosis), JSON.stringify(report.results, null, 1)).toEqual([]);
    expect(report.backend).toBe(backend);
    // The target's processes were sampled from /proc while it ran (a rollout's target is the balancer: its replicas
    // have lanes of their own instead).
    if (report.trial!.rollout) expect(report.trial!.rollout.replicas.length).toBeGreaterThan(0);
    else expect(report.trial!.samples[0]!.processes.length).toBeGreaterThan(0);
    if (backend === 'docker') {
      expect(containersWithLabel(`sigstorm.run=${report.runId}`)).toEqual([]);
      expect(networksWithLabel(`sigstorm.run=${report.runId}`)).toEqual([]);
    }
  });
});
