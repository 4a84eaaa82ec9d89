import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import { docCommand } from '../helpers/doc-runs.js';
import { pathWithout } from '../helpers/path-without.js';

// The README's first command, as a new user on a fresh machine runs it: Node and npm, no Go, no Docker engine.

/** The README's quickstart line, after `npm ci && npx sigstorm`. */
function quickstartCommand(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  if (!/^npm ci && npx sigstorm fuzz /m.test(readme.slice(readme.indexOf('## Quickstart')))) throw new Error('README: no "npm ci && npx sigstorm fuzz …" line in the quickstart');
  return ['npx', 'sigstorm', ...parse(docCommand('README.md', 'fuzz scenarios/node-exit-at-once.yml')).map(String)];
}

describe('quickstart on a fresh machine', () => {
  it('finds, shrinks and confirms a seeded bug with Go and Docker out of reach, and says how to replay it', async () => {
    const [npx, ...args] = quickstartCommand();
    expect(npx).toBe('npx');
    const PATH = pathWithout(/^(go|gofmt|docker.*|containerd.*|runc|ctr)$/);
    const hidden = await execa('sh', ['-c', 'command -v go docker || true'], { env: { PATH } });
    expect(hidden.stdout).toBe('');
    const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-quickstart-'));
    const result = await execa('npx', [...args, '--report-dir', reportDir], {
      env: { PATH, DOCKER_HOST: 'unix:///nonexistent/docker.sock', CI: 'true' },
      reject: false,
      all: true,
      stdin: 'ignore',
    });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}\S+ {2}\(process backend, seed \d+/m);
    expect(result.stdout).toMatch(/minimal failing schedule \(\d event\(s\)/);
    expect(result.stdout).toMatch(/reproduces [1-9]\d*\/\d+/);
    expect(result.stdout).toMatch(/^ {2}replay: npx sigstorm replay \S+report\.json --times 20$/m);
    const reportPath = /report: (\S+report\.json)/.exec(result.stdout)![1]!;
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    expect(report).toMatchObject({ backend: 'process', verdict: 'fail', complete: true, outcome: { kind: 'failed' } });
    expect(report.outcome.minimal.length).toBeGreaterThan(0);
    expect(report.outcome.reproduction.failed).toBeGreaterThan(0);
  });
});
