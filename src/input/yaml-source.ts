import { isScalar, LineCounter, parseAllDocuments, parseDocument, visit, type Document } from 'yaml';
import type { Problem } from './problem.js';
import { ScenarioError } from './scenario-error.js';
import { readText } from './text-file.js';

/** A YAML file parsed with positions kept, so errors can name a line. */
export interface SourceFile {
  path: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data. */
  value: unknown;
}

const options = { prettyErrors: false, uniqueKeys: true, merge: true, logLevel: 'error' } as const;

/** Reads and parses one YAML file; `what` names it in the message when it cannot be read ("scenario"). */
export async function readYaml(path: string, what: string): Promise<SourceFile> {
  const text = await readText(path, what);
  const lines = new LineCounter();
  return checked(path, [parseDocument(text, { ...options, lineCounter: lines })], lines)[0]!;
}

/** Reads a YAML stream of several documents (`---`), as Kubernetes manifests are kept; each keeps its positions. */
export async function readYamlDocuments(path: string, what: string): Promise<SourceFile[]> {
  const text = await readText(path, what);
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { ...options, lineCounter: lines });
  return checked(path, Array.isArray(docs) ? docs : [], lines);
}

/** The documents as plain data, or every problem of them in one error. */
function checked(path: string, docs: Document.Parsed[], lines: LineCounter): SourceFile[] {
  const problem = (offset: number, message: string): Problem => {
    const at = lines.linePos(offset);
    return { file: path, line: at.line, column: at.col, keyPath: '', message: `invalid YAML: ${yamlMessage(message)}` };
  };
  const errors = docs.flatMap((doc) => doc.errors);
  if (errors.length > 0) throw new ScenarioError(errors.map((e) => problem(e.pos[0], e.message)));
  // A list or map used as a key would be stringified (with a warning on stderr): refuse it where it is.
  const oddKeys: Problem[] = [];
  for (const doc of docs) {
    visit(doc, {
      Pair(_, pair) {
        if (pair.key !== null && !isScalar(pair.key)) oddKeys.push(problem((pair.key as { range?: number[] }).range?.[0] ?? 0, 'a key must be a plain name, not a list or a map'));
      },
    });
  }
  if (oddKeys.length > 0) throw new ScenarioError(oddKeys);
  return docs.map((doc) => {
    let value: unknown;
    try {
      // Aliases, merge keys and tags are resolved here; bombs of aliases are refused (the library's own limit).
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      throw new ScenarioError([problem(doc.range[0], (error as Error).message)]);
    }
    return { path, doc, lines, value };
  });
}

/** The library's first line, with what a person can act on for the messages that come from its limits. */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0]!;
  if (/call stack/i.test(first)) return 'nested too deeply';
  if (/alias count/i.test(first)) return 'too many aliases (an alias bomb?)';
  return first;
}
