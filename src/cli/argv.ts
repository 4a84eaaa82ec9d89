import { SigstormError } from '../errors.js';
import type { GcArgs } from './gc.js';

export const COMMANDS = ['init', 'run', 'fuzz', 'merge', 'replay', 'amplify', 'validate', 'analyze', 'gc', 'schema'];
export const NAME_A_COMMAND = 'Name a command: init, run, fuzz, merge, replay, amplify, validate, analyze, gc or schema.';
const USAGE = 'Run `sigstorm --help` for usage.';

/** The options that are lists: yargs' positionals, the variadic positionals, and --repository (repeatable). */
const LISTS = ['_', '--', 'files', 'scenarios', 'reports', 'paths', 'repository', 'command'];

/** A flag given twice turns into a list no command expects (yargs' "last one wins" would also cut `files..`). */
export function refuseRepeatedFlags(args: Record<string, unknown>): void {
  const twice = Object.keys(args).find((key) => !LISTS.includes(key) && Array.isArray(args[key]));
  if (twice) throw new SigstormError('bad-input', `--${twice}: given more than once`, USAGE);
}

/** What yargs would misread in the raw command line, refused before it parses. */
export function refuseMisread(argv: readonly string[]): void {
  const options = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  // yargs keeps positionals in `_` and breaks (a TypeError) when an option named `_` replaces that list.
  const underscore = options.find((a) => /^--_(=|$)|^-[^-]*_/.test(a));
  if (underscore) throw new SigstormError('bad-input', `Unknown argument: ${underscore}`, USAGE);
  // Words after `--` never name a command, and yargs lets a command line without one pass silently then.
  if (options.length < argv.length && !options.some((a) => COMMANDS.includes(a))) {
    throw new SigstormError('bad-input', NAME_A_COMMAND, USAGE);
  }
}

/** A command line yargs cannot parse is bad input; an error a command threw goes on as it is. */
export function parseFailed(message: string | undefined | null, error: Error | undefined | null): never {
  if (error) throw error;
  throw new SigstormError('bad-input', message ?? 'invalid command line', USAGE);
}

/** gc's flags as gcCommand takes them: --repository, given once or more, as a list. */
export const gcArgs = (args: { all: boolean; images: boolean; paths: unknown[]; dryRun: boolean; repository?: unknown }): GcArgs => ({
  all: args.all,
  images: args.images,
  paths: args.paths.map(String),
  dryRun: args.dryRun,
  repository: ([] as unknown[]).concat(args.repository ?? []).map(String),
});
