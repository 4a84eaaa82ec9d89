import { sigstormCommands } from './doc-blocks.js';

// Every `npx sigstorm …` line of the README and the guides is run for real by an end-to-end test: this table says
// which one, and the test takes the line from the page through `docCommand` (never a copy of it), so an edit to the
// page is what runs. test/unit/docs-commands.test.ts checks that every line is picked here and that each file named
// picks its lines.

export interface DocRun {
  page: string;
  /** The whole command after `npx sigstorm`, or a part of it found on one line of the page. */
  pick: string;
  /** The test file that runs it. */
  file: string;
}

const DOCS = 'test/e2e/docs.test.ts';
const GUIDES = 'test/e2e/docs-guides.test.ts';
const guide = (page: string, picks: string[], file = DOCS): DocRun[] => picks.map((pick) => ({ page: `docs/guides/${page}`, pick, file }));

export const DOC_RUNS: readonly DocRun[] = [
  { page: 'README.md', pick: 'fuzz scenarios/node-exit-at-once.yml', file: 'test/e2e/quickstart.test.ts' },
  ...['validate sigstorm.yml', 'run sigstorm.yml', 'fuzz sigstorm.yml --budget 30s', 'replay reports/sigstorm/'].map((pick) => ({ page: 'README.md', pick, file: DOCS })),
  ...['validate scenarios/', 'run scenarios/api.yml --junit sigstorm.xml', 'fuzz scenarios/ --budget 10m --seed'].map((pick) => ({ page: 'README.md', pick, file: GUIDES })),
  ...guide('go.md', ['validate sigstorm.yml', 'run sigstorm.yml', 'fuzz sigstorm.yml --budget 2m']),
  ...guide('node.md', ['validate sigstorm.yml', 'fuzz sigstorm.yml --budget 2m']),
  ...guide('python.md', ['validate sigstorm.yml', 'fuzz sigstorm.yml --budget 2m']),
  ...guide('ruby.md', ['validate sigstorm.yml', 'fuzz sigstorm.yml --budget 2m']),
  ...guide('java.md', ['validate sigstorm.yml', 'fuzz sigstorm.yml --budget 5m']),
  ...guide(
    'init.md',
    [
      'init',
      'init --compose docker-compose.yml --service api',
      'init --dockerfile Dockerfile',
      'init --k8s deploy.yaml --container web',
      'init --systemd api.service',
      'init -- python3 app.py',
      'init --k8s deploy.yaml -- ./bin/api',
      'validate sigstorm.yml',
      'run sigstorm.yml',
      'fuzz sigstorm.yml --budget 2m',
    ],
    GUIDES,
  ),
  ...guide(
    'ci.md',
    ['validate scenarios/', 'run scenarios/api.yml', 'fuzz scenarios/ --budget 10m --seed', 'fuzz scenarios/ --shard', 'merge shards/*', 'fuzz scenarios/ --backend process --shard'],
    GUIDES,
  ),
  ...guide(
    'flaky-shutdown.md',
    ['fuzz scenarios/return-on-close.yml --backend process --seed 8', 'replay reports/return-on-close/<run-id>/report.json --times 20', 'replay --against'],
    GUIDES,
  ),
  ...guide('flaky-shutdown.md', ['replay reports/real-haproxy-usr2/'], 'test/e2e/replay-script.test.ts'),
  ...guide('flaky-shutdown.md', ['replay /tmp/amp/amplify.json --times 20'], 'test/e2e/amplify.test.ts'),
  ...guide('stop-models.md', ['run scenarios/k8s-endpoint-lag.yml'], GUIDES),
];

/** Which of a page's command lines `pick` names: the line that is exactly it, else every line holding it. */
export const picked = (command: string, pick: string, all: string[]): boolean => (all.includes(pick) ? command === pick : command.includes(pick));

/**
 * The command line of `page` (after `npx sigstorm`) that `pick` names, as written there, CI expressions given by `ci`.
 * Throws when the pick is not in DOC_RUNS, or names no line or two different ones.
 */
export function docCommand(page: string, pick: string, ci?: (expression: string) => string): string {
  if (!DOC_RUNS.some((r) => r.page === page && r.pick === pick)) throw new Error(`${page}: "${pick}" is not in DOC_RUNS`);
  const all = sigstormCommands(page, '.', ci).map((c) => c.command);
  const lines = [...new Set(all.filter((command) => picked(command, pick, all)))];
  if (lines.length !== 1) throw new Error(`${page}: "${pick}" names ${lines.length} different command lines: ${lines.join(' | ')}`);
  return lines[0]!;
}
