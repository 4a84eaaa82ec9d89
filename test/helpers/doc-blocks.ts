import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The code blocks of the user documentation, as the docs tests read them: every YAML block must load as a scenario
// unless its first line marks it `# fragment…`, and every `npx sigstorm …` line must be a command line the CLI parses.

/** The pages whose scenarios and commands are checked: the README, the guides and the scenario guide. */
export function docPages(root = '.'): string[] {
  const guides = readdirSync(join(root, 'docs/guides'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/guides/${f}`);
  return ['README.md', 'docs/scenarios.md', ...guides];
}

export interface DocBlock {
  page: string;
  /** The line of the opening fence, 1-based. */
  line: number;
  lang: string;
  text: string;
}

/** Every fenced code block of a page, with the language its fence names. */
export function codeBlocks(page: string, root = '.'): DocBlock[] {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let open: { line: number; lang: string; indent: number; body: string[] } | undefined;
  lines.forEach((raw, i) => {
    const fence = /^(\s*)```(\S*)\s*$/.exec(raw);
    if (open) {
      if (fence && fence[1]!.length === open.indent && !fence[2]) {
        blocks.push({ page, line: open.line, lang: open.lang, text: open.body.join('\n') });
        open = undefined;
      } else open.body.push(raw.slice(open.indent));
    } else if (fence) open = { line: i + 1, lang: fence[2] ?? '', indent: fence[1]!.length, body: [] };
  });
  return blocks;
}

/** The first YAML block of a page under a heading: the scenario a reader copies from there. */
export function scenarioOf(page: string, heading: string, root = '.'): string {
  const from = readFileSync(join(root, page), 'utf8').split('\n').indexOf(heading) + 1;
  const block = codeBlocks(page, root).find((b) => b.line > from && b.lang === 'yaml');
  if (!from || !block) throw new Error(`${page}: no YAML block under "${heading}"`);
  return block.text;
}

/** A YAML block marked as not a whole scenario (a list of events, a workload, a CI workflow…). */
export const isFragment = (block: DocBlock): boolean => /^#\s*fragment\b/.test(block.text.trimStart());

/** A YAML block that shows a whole file the page's scenarios name, its first line being only its path. */
export const fileShown = (block: DocBlock): string | undefined => /^# ([\w./-]+\.ya?ml)\s*\n/.exec(block.text)?.[1];

/**
 * The `npx sigstorm …` command lines of a page's code blocks (sh, yaml CI steps, shown output), after `npx sigstorm`.
 * A CI expression (`${{ matrix.shard }}`) stands for a value: `ci` gives it (7 by default).
 */
export function sigstormCommands(page: string, root = '.', ci: (expression: string) => string = () => '7'): { page: string; line: number; command: string }[] {
  const found: { page: string; line: number; command: string }[] = [];
  for (const block of codeBlocks(page, root)) {
    const lines = block.text.split('\n');
    lines.forEach((first, i) => {
      const at = first.indexOf('npx sigstorm ');
      if (at < 0) return;
      // A command folded over lines (a YAML block scalar) goes on with lines of flags.
      let text = first;
      for (let next = i + 1; lines[next]?.trim().startsWith('--'); next++) text += ` ${lines[next]!.trim()}`;
      // The command ends at a shell comment; CI expressions (`${{ … }}`) stand for a value.
      const command = text
        .slice(at + 'npx sigstorm '.length)
        .replace(/\s+#\s.*$/, '')
        .replace(/\$\{\{([^}]*)\}\}/g, (_, expression: string) => ci(expression.trim()))
        .trim();
      found.push({ page, line: block.line + 1 + i, command });
    });
  }
  return found;
}
