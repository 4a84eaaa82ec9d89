// The longest functions of src/, read with the TypeScript compiler API: `npm run lint:size [-- <top>]` prints them,
// and test/unit/function-sizes.test.ts keeps every one at or under MAX_LINES but the declared exceptions.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const MAX_LINES = 80;

/**
 * Functions allowed over MAX_LINES, each with why: declarative tables only, where splitting would scatter one list
 * a reader scans top to bottom. Keyed "file name".
 */
export const EXCEPTIONS = {
  'src/cli/main.ts main': 'the yargs command and option table: one declarative list of every command and flag',
};

/** Every function of the `.ts` files under `root` (a directory relative to `dir`), longest first. */
export function functionSizes(dir = '.', root = 'src') {
  const sizes = [];
  for (const file of tsFiles(join(dir, root))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (isFunction(node)) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        sizes.push({ file: relative(dir, file), line: first + 1, name: nameOf(node), lines: last - first + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sizes.sort((a, b) => b.lines - a.lines);
}

/** The functions over MAX_LINES that are not declared exceptions, and the exceptions that are no longer long. */
export function sizeProblems(sizes = functionSizes()) {
  const key = (s) => `${s.file} ${s.name}`;
  const long = sizes.filter((s) => s.lines > MAX_LINES);
  return {
    undeclared: long.filter((s) => !(key(s) in EXCEPTIONS)),
    stale: Object.keys(EXCEPTIONS).filter((k) => !long.some((s) => key(s) === k)),
  };
}

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const isFunction = (n) =>
  ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) ||
  ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n);

function nameOf(node) {
  if (node.name) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  return '(anonymous)';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const top = Number(process.argv[2] ?? 15);
  const sizes = functionSizes();
  for (const s of sizes.slice(0, top)) {
    const note = EXCEPTIONS[`${s.file} ${s.name}`];
    console.log(`${String(s.lines).padStart(4)}  ${s.file}:${s.line}  ${s.name}${note ? `  (declared: ${note})` : ''}`);
  }
  const { undeclared, stale } = sizeProblems(sizes);
  console.log(`# ${sizes.length} functions in src/; ${undeclared.length} over ${MAX_LINES} lines undeclared`);
  for (const k of stale) console.log(`# declared exception no longer over ${MAX_LINES} lines: ${k}`);
  process.exitCode = undeclared.length || stale.length ? 1 : 0;
}
