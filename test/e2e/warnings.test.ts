import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sigstorm } from '../helpers/cli.js';
import { newDir } from '../helpers/leftovers.js';

// Node's own warnings (MaxListenersExceededWarning, "Possible EventTarget memory leak detected", …) have no place
// in a command's output: a user reading one in a CI log suspects the tool. Real campaigns on the process backend at
// --parallel 8, the most trials in flight at once (up to 2P − 1 while a first failure's estimate starts beside
// the trials run ahead), each listening to the campaign's abort signal.
const NODE_WARNING = /\(node:\d+\) |MaxListenersExceeded|memory leak detected/;

describe('no Node warning in any command’s output', () => {
  it('fuzz at --parallel 8 (a bug found, shrunk and confirmed; a twin that passes), then replay at --parallel 8', { timeout: 240_000 }, async () => {
    const dir = newDir('warnings');
    // hup-unhandled dies of every SIGHUP (seed 2 finds it); sigint-only-fixed passes its whole fault space.
    const fuzzed = await sigstorm([
      'fuzz', 'scenarios/hup-unhandled.yml', 'scenarios/sigint-only-fixed.yml', '--backend', 'process', '--parallel', '8', '--seed', '2',
      '--runs', '16', '--confirm', '8', '--budget', '90s', '--report-dir', dir,
    ]);
    expect(fuzzed.exitCode, fuzzed.all).toBe(1);
    expect(fuzzed.all).not.toMatch(NODE_WARNING);

    const runs = readdirSync(join(dir, 'hup-unhandled')).filter((d) => !d.endsWith('.json'));
    const replayed = await sigstorm(['replay', join(dir, 'hup-unhandled', runs[0]!, 'report.json'), '--times', '8', '--parallel', '8']);
    expect(replayed.exitCode, replayed.all).toBe(1);
    expect(replayed.all).not.toMatch(NODE_WARNING);
  });
});
