import { statSync, type Stats } from 'node:fs';
import { badInput } from '../errors.js';

/** A whole number of things (runs, trials, parallel trials) given on the command line, within sane bounds. */
/** The most trials `--parallel` may run at once. */
export const MAX_PARALLEL = 64;

export function count(flag: string, value: number, max = 1_000_000): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw badInput(`${flag}: expected a whole number from 1 to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** A fast-check seed: a 32-bit integer. */
export function seed(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw badInput(`--seed: expected a whole number from ${-(2 ** 31)} to ${2 ** 31 - 1}, got ${describe(value)}`);
  }
  return value;
}

// yargs turns a number option it cannot parse into NaN: say what was typed instead.
const describe = (value: unknown) => (typeof value === 'number' && Number.isNaN(value) ? 'something that is not a number' : JSON.stringify(value) ?? String(value));

/** --report-dir: a directory, or a path where one can be made; a file there is a typo worth catching early. */
export function reportDir(path: string): string {
  if (path === '' || path.includes('\0')) throw badInput(`--report-dir: expected a directory path, got ${describe(path)}`);
  let info: Stats | undefined;
  try {
    info = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENAMETOOLONG' || code === 'ENOTDIR') throw badInput(`--report-dir: ${path} cannot be a directory (${code})`);
    return path; // made when the first report is written
  }
  if (!info.isDirectory()) throw badInput(`--report-dir: ${path} is not a directory`);
  return path;
}
