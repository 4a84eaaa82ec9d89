import { badInput } from '../errors.js';
import { LineCounter, parseAllDocuments, parseDocument, type Document } from 'yaml';

// YAML text as plain data that still knows the line of each key, so a comment can cite it.

export interface YamlText {
  value: unknown;
  /** The line of the key at `path` (or of the value, for a list item), or undefined when it is not written there (merged from an anchor). */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

const options = { merge: true, uniqueKeys: false, logLevel: 'silent' } as const;

export function parseYamlText(text: string, file: string): YamlText {
  const lines = new LineCounter();
  return withLines(parseDocument(text, { ...options, lineCounter: lines }), lines, file);
}

/** Every document of a stream (`---`), as Kubernetes manifests are kept. */
export function parseYamlDocuments(text: string, file: string): YamlText[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { ...options, lineCounter: lines });
  return (Array.isArray(docs) ? docs : []).map((doc) => withLines(doc, lines, file));
}

function withLines(doc: Document.Parsed, lines: LineCounter, file: string): YamlText {
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw badInput(`${file}:${lines.linePos(e.pos[0]).line}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  return {
    value: doc.toJS({ maxAliasCount: 1000 }) as unknown,
    lineOf(path) {
      const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
      const items = (parent as { items?: { key?: { range?: number[]; value?: unknown }; range?: number[] }[] } | null)?.items;
      const last = path.at(-1);
      const item = typeof last === 'number' ? items?.[last] : items?.find((p) => p.key?.value === last);
      const offset = typeof last === 'number' ? item?.range?.[0] : item?.key?.range?.[0];
      return offset === undefined ? undefined : lines.linePos(offset).line;
    },
  };
}

/** A mapping as a record, or undefined. */
export const record = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
