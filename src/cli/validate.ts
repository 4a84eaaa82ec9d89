import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { badInput, ExitCode, SigstormError } from '../errors.js';
import { loadScenario } from '../scenario/load.js';

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

export async function validateCommand(paths: string[]): Promise<number> {
  if (paths.length === 0) await expandScenarioPaths(paths); // says what is missing
  let bad = 0;
  const problem = (error: unknown) => {
    if (!(error instanceof SigstormError)) throw error;
    bad++;
    process.stderr.write(`${error.message}\n`);
  };
  // Path by path: an empty directory is one problem among the others, not the end of the check.
  for (const path of paths) {
    const files = await expandScenarioPaths([path]).catch((error: unknown) => (problem(error), []));
    for (const file of files) {
      try {
        const scenario = await loadScenario(file);
        const forms = [scenario.target.container && 'docker', scenario.target.process && 'process'].filter(Boolean).join(', ');
        process.stdout.write(`ok  ${file}  (${scenario.name}; backends: ${forms})\n`);
      } catch (error) {
        problem(error);
      }
    }
  }
  return bad > 0 ? ExitCode.badInput : ExitCode.ok;
}

/** A path as a person can see it in a message: quoted when blanks at its ends or control characters would hide it. */
export const shownPath = (path: string): string => (/^\s|\s$|[\u0000-\u001f]/.test(path) ? JSON.stringify(path) : path);
