import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journal, parseJournal } from '../../src/leftovers/journal.js';
import { withDataDir } from '../../src/trial/data-dir.js';

const named = (runId: string) => readdirSync(tmpdir()).filter((n) => n.includes(`sigstorm-data-${runId}`));

describe("a trial's data directory", () => {
  it('is gone under its name once the trial is done; the emptied directory set aside is removed after, and journalled', async () => {
    const runId = `data-dir-${process.pid}`;
    const dir = await withDataDir(runId, async (dataDir) => {
      for (const name of ['config', 'writes.log', 'server.pid']) writeFileSync(join(dataDir, name), 'x\n');
      return dataDir;
    });
    expect(existsSync(dir)).toBe(false);
    // The one set aside: removed in the background, then released in the journal.
    const outstanding = () => parseJournal(journal.file!, readFileSync(journal.file!, 'utf8')).outstanding.filter((o) => o.resource.kind === 'data-dir' && o.resource.path.includes(runId));
    await expect.poll(outstanding).toEqual([]);
    expect(named(runId)).toEqual([]);
    const announced = readFileSync(journal.file!, 'utf8').split('\n').filter((l) => l.includes('"intent"') && l.includes(runId));
    expect(announced.map((l) => JSON.parse(l).resource.path)).toEqual([dir, join(tmpdir(), `sigstorm-removing-sigstorm-data-${runId}`)]);
  });

  it('with a subdirectory, is removed the thorough way, before the trial is done', async () => {
    const runId = `data-dir-tree-${process.pid}`;
    const dir = await withDataDir(runId, async (dataDir) => {
      mkdirSync(join(dataDir, 'caddy/certs'), { recursive: true });
      writeFileSync(join(dataDir, 'caddy/certs/a.pem'), 'x');
      return dataDir;
    });
    expect(existsSync(dir)).toBe(false);
    expect(named(runId)).toEqual([]);
  });
});
