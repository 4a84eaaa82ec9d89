import { isMap, isScalar } from 'yaml';
import type { KeyPath } from './key-path.js';
import type { SourceFile } from './yaml-source.js';

/**
 * The line of the value (or, for `keyOnly`, of the key) at a key path, when the file has it; else that of the
 * nearest enclosing value.
 */
export function locate(source: SourceFile, path: KeyPath, keyOnly = false): { line: number; column: number } | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const head = path.slice(0, depth);
    if (keyOnly && depth === path.length && depth > 0) {
      const parent = source.doc.getIn(head.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === head.at(-1));
        const range = (pair?.key as { range?: [number, number] } | undefined)?.range;
        if (range) return pos(source, range[0]);
      }
      continue;
    }
    const node = depth === 0 ? source.doc.contents : source.doc.getIn(head, true);
    const range = (node as { range?: [number, number] } | null | undefined)?.range;
    if (range) return pos(source, range[0]);
  }
  return undefined;
}

const pos = (source: SourceFile, offset: number) => {
  const p = source.lines.linePos(offset);
  return { line: p.line, column: p.col };
};
