import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The emptied data directory is removed in the background (src/trial/data-dir.ts): a library user who ends the
// process at once after a trial must find it gone all the same, and no journal naming it.
describe("a trial's data directory and a process.exit() right after the trial", () => {
  it('is removed before the process ends, and the journal, naming nothing left, is deleted', () => {
    const state = mkdtempSync(join(tmpdir(), 'sigstorm-test-state-'));
    const runId = `exit-${process.pid}`;
    const script = [
      `import(${JSON.stringify(resolve('dist/trial/data-dir.js'))}).then(async ({ withDataDir }) => {`,
      `  await withDataDir(${JSON.stringify(runId)}, async (dir) => require('node:fs').writeFileSync(dir + '/writes.log', 'x'));`,
      '  process.exit(0);',
      '});',
    ].join('\n');
    execFileSync(process.execPath, ['-e', script], { env: { ...process.env, SIGSTORM_STATE_DIR: state } });
    expect(readdirSync(tmpdir()).filter((n) => n.includes(`sigstorm-data-${runId}`))).toEqual([]);
    expect(readdirSync(join(state, 'runs'))).toEqual([]);
  });
});
