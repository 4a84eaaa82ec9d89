import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { codeBlocks, docPages, fileShown, isFragment, type DocBlock } from '../helpers/doc-blocks.js';

// Every YAML block of the README, the guides and the scenario guide is a scenario the real loader accepts, unless
// its first line marks it `# fragment…` (a list of events, a workload, a CI workflow) or names the file it shows
// (`# docker-compose.yml`: written there for the page's scenarios to name). Each page's blocks are written where a
// scenario of this repository lives (a `scenarios/` directory beside `targets/` and `docker-compose.yml`), so the
// zoo's relative paths resolve, and a user's (`app.py`, `build: .`) resolve to that directory.

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A directory laid out like this repository for one page: the files it shows, the rest linked. */
function pageRoot(blocks: DocBlock[]): string {
  const root = mkdtempSync(join(tmpdir(), 'sigstorm-doc-scenarios-'));
  roots.push(root);
  mkdirSync(join(root, 'scenarios'));
  for (const block of blocks) {
    const path = fileShown(block);
    if (!path) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${block.text}\n`);
  }
  for (const name of ['targets', 'docker-compose.yml']) if (!existsSync(join(root, name))) symlinkSync(resolve(name), join(root, name));
  return root;
}

const pages = docPages().map((page) => {
  const yaml = codeBlocks(page).filter((b) => b.lang === 'yaml' || b.lang === 'yml');
  return { page, yaml, scenarios: yaml.filter((b) => !isFragment(b) && !fileShown(b)) };
});
const scenarios = pages.flatMap(({ yaml, scenarios }) => {
  if (scenarios.length === 0) return [];
  const root = pageRoot(yaml);
  return scenarios.map((block) => ({ block, root }));
});

describe('the scenarios shown in the documentation', () => {
  it('are most of its YAML blocks (the rest marked as fragments or files shown)', () => {
    const others = pages.flatMap((p) => p.yaml.filter((b) => isFragment(b) || fileShown(b)));
    expect(scenarios.length).toBeGreaterThanOrEqual(15);
    expect(others.length).toBeLessThanOrEqual(scenarios.length);
  });

  it.each(scenarios.map(({ block, root }) => [`${block.page}:${block.line}`, block, root] as const))('%s loads', async (where, block, root) => {
    const file = join(root, 'scenarios', `${where.replace(/[^\w.-]+/g, '_')}.yml`);
    writeFileSync(file, `${block.text}\n`);
    await expect(loadScenario(file).then(() => 'ok'), where).resolves.toBe('ok');
  });
});
