import { readFile } from 'node:fs/promises';
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { badInput } from '../errors.js';
import type { Problem } from './problem.js';
import { ScenarioError } from './scenario-error.js';
import { decodeUtf8, firstInvalidUtf8 } from './utf8.js';

/** A YAML file parsed with positions kept, so errors can name a line. */
export interface SourceFile {
  path: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data. */
  value: unknown;
}

/** Reads and parses one YAML file; `what` names it in the message when it cannot be read ("scenario"). */
export async function readYaml(path: string, what: string): Promise<SourceFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(error));
    throw badInput(`${path}: cannot read ${what} (${why})`);
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    throw new ScenarioError([{ file: path, line, keyPath: '', message: `expected UTF-8 text (invalid byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at offset ${at}: a binary file?)` }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true, logLevel: 'error' });
  const problem = (offset: number, message: string): Problem => {
    const at = lines.linePos(offset);
    return { file: path, line: at.line, column: at.col, keyPath: '', message: `invalid YAML: ${yamlMessage(message)}` };
  };
  if (doc.errors.length > 0) throw new ScenarioError(doc.errors.map((e) => problem(e.pos[0], e.message)));
  // A list or map used as a key would be stringified (with a warning on stderr): refuse it where it is.
  const oddKeys: Problem[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) oddKeys.push(problem((pair.key as { range?: number[] }).range?.[0] ?? 0, 'a key must be a plain name, not a list or a map'));
    },
  });
  if (oddKeys.length > 0) throw new ScenarioError(oddKeys);
  let value: unknown;
  try {
    // Aliases, merge keys and tags are resolved here; bombs of aliases are refused (the library's own limit).
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new ScenarioError([problem(0, (error as Error).message)]);
  }
  return { path, doc, lines, value };
}

/** The library's first line, with what a person can act on for the messages that come from its limits. */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0]!;
  if (/call stack/i.test(first)) return 'nested too deeply';
  if (/alias count/i.test(first)) return 'too many aliases (an alias bomb?)';
  return first;
}
