import type { Draft } from './draft.js';

// The draft as YAML: nested keys in block style, values in flow style, each choice explained in a comment above
// its key, and what could not be inferred listed at the top.

interface Node {
  why: string[];
  value?: unknown;
  children: Map<string, Node>;
}

const WIDTH = 118;

/** The scenario file's text: the `$schema` line, where it came from, what was not inferred, then the keys. */
export function renderDraft(draft: Draft, schemaRef: string): string {
  const root: Node = { why: [], children: new Map() };
  for (const entry of draft.entries) {
    let node = root;
    for (const key of entry.path) {
      if (!node.children.has(key)) node.children.set(key, { why: [], children: new Map() });
      node = node.children.get(key)!;
    }
    if (entry.why) node.why.push(entry.why);
    if (entry.value !== undefined) node.value = entry.value;
  }
  const head = [
    `# yaml-language-server: $schema=${schemaRef}`,
    ...comment(`Written by \`sigstorm init\` from ${draft.source}. Each comment says where a value was read, or that it is a default.`, ''),
    ...draft.warnings.flatMap((w) => comment(`Warning: ${w}`, '')),
    ...draft.unknowns.flatMap((u) => comment(`Not inferred: ${u}`, '')),
  ];
  return `${[...head, '', ...block(root, '')].join('\n')}\n`;
}

function block(node: Node, indent: string): string[] {
  const out: string[] = [];
  for (const [key, child] of node.children) {
    out.push(...child.why.flatMap((w) => comment(w, indent)));
    if (child.children.size > 0) out.push(`${indent}${scalar(key)}:`, ...block(child, `${indent}  `));
    else out.push(`${indent}${scalar(key)}: ${flow(child.value)}`);
  }
  return out;
}

/** A comment wrapped at word boundaries to the file's width. */
function comment(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + 2 + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => `${indent}# ${l}`);
}

/** A value in YAML flow style: `[a, b]`, `{ k: v }`, plain scalars where YAML reads them back unchanged. */
export function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const pairs = Object.entries(value).filter(([, v]) => v !== undefined);
    return pairs.length ? `{ ${pairs.map(([k, v]) => `${scalar(k)}: ${flow(v)}`).join(', ')} }` : '{}';
  }
  if (typeof value === 'string') return scalar(value);
  return String(value);
}

/** A string plain when YAML would read it back as the same string, quoted (JSON style) otherwise. */
function scalar(text: string): string {
  const plain =
    (/^[A-Za-z_./][A-Za-z0-9_./@+-]*$/.test(text) && !/^(true|false|yes|no|on|off|null|y|n|~)$/i.test(text) && !/^[.]?[0-9]/.test(text)) ||
    /^[0-9]+(ms|s|m|h)$/.test(text);
  return plain ? text : JSON.stringify(text);
}
