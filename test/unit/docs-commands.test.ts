import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'shell-quote';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { docPages, sigstormCommands } from '../helpers/doc-blocks.js';
import { DOC_RUNS, picked } from '../helpers/doc-runs.js';

// Every `npx sigstorm …` line in a code block of the README and docs/ is a command line sigstorm's own
// parser (yargs, strict: unknown commands and flags are refused) accepts. Only the commands' bodies are replaced,
// by a recorder: the files these lines name are the reader's (`scenarios/api.yml`), and running a campaign here
// would take minutes. Those of the README and the guides are also run for real, each by the end-to-end test
// test/helpers/doc-runs.ts names: checked here to pick every such line.

const ran = vi.hoisted(() => [] as { command: string; args: unknown }[]);
const recorder = (command: string) => async (args: unknown) => {
  ran.push({ command, args });
  return 0;
};
vi.mock('../../src/cli/run.js', () => ({ runCommand: recorder('run') }));
vi.mock('../../src/cli/fuzz.js', () => ({ fuzzCommand: recorder('fuzz') }));
vi.mock('../../src/cli/merge.js', () => ({ mergeCommand: recorder('merge') }));
vi.mock('../../src/cli/replay.js', () => ({ replayCommand: recorder('replay') }));
vi.mock('../../src/cli/amplify.js', () => ({ amplifyCommand: recorder('amplify') }));
vi.mock('../../src/cli/validate.js', () => ({ validateCommand: recorder('validate') }));
vi.mock('../../src/cli/analyze.js', () => ({ analyzeCommand: recorder('analyze') }));
vi.mock('../../src/cli/gc.js', () => ({ gcCommand: recorder('gc') }));
vi.mock('../../src/cli/init.js', () => ({ initCommand: recorder('init') }));

/** A documented command line as words: `<placeholders>`, `$VARIABLES` and `$((arithmetic))` stand for one word each. */
function words(command: string): string[] {
  const plain = command.replace(/<[^<>]+>/g, 'PLACEHOLDER').replace(/\$\(\([^()]*\)\)/g, '1');
  return parse(plain, () => '7').map((w) => {
    if (typeof w === 'string') return w;
    if ('op' in w && w.op === 'glob') return w.pattern;
    throw new Error(`not a plain command line: ${JSON.stringify(w)} in ${command}`);
  });
}

// Beyond the pages whose scenarios are checked, every other page of docs/ that shows an `npx sigstorm` line.
const pages = [...new Set([...docPages(), ...readdirSync('docs', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)])];
const commands = pages.flatMap((page) => sigstormCommands(page));

afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

describe('the sigstorm command lines shown in the documentation', () => {
  it('are found on its pages', () => {
    expect(commands.length).toBeGreaterThanOrEqual(15);
  });

  it.each(commands.map((c) => [`${c.page}:${c.line}`, c.command] as const))('%s: sigstorm %s', async (where, command) => {
    const errors: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation(((text: string) => void errors.push(String(text))) as never);
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    ran.length = 0;
    const argv = words(command);
    await main(argv);
    expect(errors.join(''), where).toBe('');
    expect(process.exitCode ?? 0, where).toBe(0);
    expect(ran.map((r) => r.command)).toEqual([argv[0]]);
  });

  it('would refuse a flag sigstorm does not have (the check can fail)', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation((() => true) as never);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    ran.length = 0;
    await main(words('fuzz sigstorm.yml --budjet 30s'));
    expect(process.exitCode).toBe(2);
    expect(ran).toEqual([]);
  });
});

describe('the command lines of the README and the guides, run for real', () => {
  const shown = docPages().flatMap((page) => sigstormCommands(page));

  it.each(shown.map((c) => [`${c.page}:${c.line}`, c] as const))('%s is run by an end-to-end test', (_, { page, command }) => {
    const all = sigstormCommands(page).map((c) => c.command);
    const runs = DOC_RUNS.filter((r) => r.page === page && picked(command, r.pick, all));
    expect(runs.map((r) => r.file), `${page}: npx sigstorm ${command}`).toHaveLength(1);
  });

  it.each(DOC_RUNS.map((r) => [`${r.page}: ${r.pick}`, r] as const))('%s names a line of its page, and the file named takes it from there', (_, { page, pick, file }) => {
    const all = sigstormCommands(page).map((c) => c.command);
    expect(all.filter((command) => picked(command, pick, all)).length, `${page}: no line "${pick}"`).toBeGreaterThan(0);
    expect(readFileSync(file, 'utf8'), `${file} does not take "${pick}" from ${page}`).toContain(`'${pick}'`);
  });
});
