import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
// @ts-expect-error plain JS module shared with `npm run zoo`
import { matrixScenario } from '../../scripts/zoo-check.mjs';

// The rare-window rows of targets/zoo.json: the window is placed at a known instant for the matrix only, the twin gets
// the same placement, and the scenario files stay as a user writes them (fuzzed with the window's own timing).
interface Row {
  scenario: string;
  window?: { share: string; kind: string; runtime: string };
  env?: Record<string, string>;
  expect: Record<string, { oracle?: string }>;
}
const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8')) as { targets: Row[] };
const rare = targets.filter((t) => t.window);
const placed = (row: Row) => matrixScenario(row, loadScenario) as Promise<string | Scenario>;

describe.skipIf(rare.length === 0)('rare-window zoo rows', () => {
  it.each(rare)('$scenario: a window placement for the matrix, the same for its twin', (row) => {
    expect(Object.keys(row.env ?? {}).sort()).toEqual(['ZOO_WINDOW_AT_MS', 'ZOO_WINDOW_MS']);
    const twin = targets.find((t) => t.scenario === `${row.scenario}-fixed`);
    expect(twin?.env).toEqual(row.env);
    expect(Object.keys(twin!.expect).sort()).toEqual(Object.keys(row.expect).sort());
  });

  it.each(rare)('$scenario: the file has no fault space of its own and no placement', (row) => {
    for (const name of [row.scenario, `${row.scenario}-fixed`]) {
      const file = parse(readFileSync(`scenarios/${name}.yml`, 'utf8')) as { faults?: unknown; target: { process?: { env?: object } } };
      expect(file.faults, name).toBeUndefined();
      expect(Object.keys(file.target.process?.env ?? {}).filter((k) => k.startsWith('ZOO_WINDOW')), name).toEqual([]);
    }
  });
});

describe('matrixScenario', () => {
  it('runs a row without env from its file', async () => {
    expect(await placed({ scenario: 'sigint-only', expect: {} })).toBe('scenarios/sigint-only.yml');
  });

  it("gives a row's env to the target in both forms, keeping the file's own", async () => {
    const env = { ZOO_WINDOW_AT_MS: '500', ZOO_WINDOW_MS: '1000' };
    const s = (await placed({ scenario: 'unbuffered-notify', env, expect: {} })) as Scenario;
    expect(s.target.process!.env).toEqual({ ZOO_MODE: 'unbuffered-notify', ZOO_RELOAD_MS: '300', ...env });
    expect(s.target.container!.environment).toEqual({ ZOO_MODE: 'unbuffered-notify', ZOO_RELOAD_MS: '300', ...env });
    expect((await loadScenario('scenarios/unbuffered-notify.yml')).target.process!.env).toEqual({ ZOO_MODE: 'unbuffered-notify', ZOO_RELOAD_MS: '300' });
  });
});
