import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { badInput } from '../errors.js';

/** Scenario files named directly, or the *.yml / *.yaml files of a directory. */
export async function expandScenarioPaths(paths: string[]): Promise<string[]> {
  // yargs drops a lone "-" (standard input) from the list: what is left may be nothing at all.
  if (paths.length === 0) throw badInput('name at least one scenario file or directory (reading standard input, "-", is not supported)');
  const out: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter((n) => /\.ya?ml$/.test(n)).sort();
      // An empty directory must not pass as "every scenario is fine".
      if (names.length === 0) throw badInput(`${shownPath(path)}: a directory without scenario files (*.yml, *.yaml)`);
      out.push(...names.map((n) => join(path, n)));
    } else {
      out.push(path);
    }
  }
  return out;
}

/** A path as a person can see it in a message: quoted when blanks at its ends or control characters would hide it. */
export const shownPath = (path: string): string => (/^\s|\s$|[\u0000-\u001f]/.test(path) ? JSON.stringify(path) : path);
