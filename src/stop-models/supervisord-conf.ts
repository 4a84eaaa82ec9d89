import { readIni, type IniEntry } from '../input/ini.js';
import type { SignalName } from '../signals.js';
import { MAX_DURATION_MS } from '../time.js';
import { throwProblems, type FileSettings, type SettingProblem, type StopFileReader } from './file-settings.js';
import { supervisord, type SupervisordWritten } from './supervisord.js';

export type SupervisordKeys = Pick<SupervisordWritten, 'stop_signal' | 'stop_wait' | 'stop_as_group' | 'kill_as_group'>;

// The signals supervisord's documentation lists for stopsignal.
const SIGNALS = ['TERM', 'HUP', 'INT', 'QUIT', 'KILL', 'USR1', 'USR2'];

/**
 * The stop settings of one `[program:x]` section of a supervisord configuration (the one named `program`, or the
 * only one), as the scenario's `stop:` keys. `written`: the keys the scenario gives itself (their values here are
 * not used, nor judged).
 */
export async function readSupervisordConf(path: string, program?: string, written: readonly string[] = []): Promise<FileSettings<SupervisordKeys> & { program: string }> {
  const conf = await readIni(path, 'supervisord configuration', 'supervisord');
  const programs = [...new Set(conf.sections.filter((s) => s.name.startsWith('program:')).map((s) => s.name.slice('program:'.length).trim()))];
  const name = program ?? (programs.length === 1 ? programs[0] : undefined);
  if (name === undefined || !programs.includes(name)) {
    const which = program === undefined ? (programs.length === 0 ? 'expected a [program:x] section' : 'several programs: set stop.program to one of them') : `expected a [program:${program}] section`;
    throwProblems([{ file: path, line: 1, keyPath: '', message: `${which}; it has: ${programs.map((p) => `[program:${p}]`).join(', ') || 'none'}` }], []);
  }
  const section = `program:${name!}`;
  const entries = new Map<string, IniEntry>();
  // ConfigParser as supervisord sets it up: a repeated section or key is merged, the last value wins.
  for (const entry of conf.entries) if (entry.section.startsWith('program:') && entry.section.slice('program:'.length).trim() === name) entries.set(entry.key, entry);

  const settings: SupervisordKeys = {};
  const lines: FileSettings<SupervisordKeys>['lines'] = {};
  const problems: SettingProblem[] = [];
  const read = <K extends keyof SupervisordKeys | 'numprocs'>(key: string, setting: K, parse: (value: string) => unknown | { error: string }) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    const problem = (message: string) =>
      problems.push({ file: path, line: entry.line, column: entry.column, keyPath: `[${section}] ${key}`, message, ...(setting === 'numprocs' ? {} : { setting }) });
    if (/%\(/.test(entry.value)) return void problem(`expansions such as ${/%\([^)]*\)./.exec(entry.value)?.[0] ?? '%(...)s'} are not expanded by sigstorm; write the value`);
    const value = parse(entry.value);
    if (typeof value === 'object' && value !== null && 'error' in value) return void problem((value as { error: string }).error);
    if (setting !== 'numprocs') {
      (settings as Record<string, unknown>)[setting] = value;
      lines[setting as keyof SupervisordKeys] = entry.line;
    }
    return value;
  };
  read('stopsignal', 'stop_signal', signalOf);
  read('stopwaitsecs', 'stop_wait', (v) => {
    const seconds = integerOf(v, 'seconds');
    if (typeof seconds !== 'number') return seconds;
    return seconds * 1000 <= MAX_DURATION_MS ? seconds * 1000 : { error: `expected at most 24 days, got ${v} seconds` };
  });
  read('stopasgroup', 'stop_as_group', booleanOf);
  read('killasgroup', 'kill_as_group', booleanOf);
  const numprocs = read('numprocs', 'numprocs', (v) => integerOf(v, 'processes'));
  if (typeof numprocs === 'number' && numprocs > 1) {
    const entry = entries.get('numprocs')!;
    problems.push({ file: path, line: entry.line, column: entry.column, keyPath: `[${section}] numprocs`, message: `expected 1: sigstorm stops one process, this program runs ${numprocs}` });
  }
  if (settings.stop_as_group && settings.kill_as_group === false) {
    const entry = entries.get('killasgroup')!;
    problems.push({ file: path, line: entry.line, column: entry.column, keyPath: `[${section}] killasgroup`, message: 'supervisord refuses stopasgroup=true with killasgroup=false', setting: 'kill_as_group' });
  }
  throwProblems(problems, written);
  return { file: path, program: name!, settings, lines };
}

function signalOf(value: string): SignalName | { error: string } {
  const upper = value.toUpperCase();
  const name = upper.startsWith('SIG') ? upper.slice(3) : upper;
  return SIGNALS.includes(name) ? (`SIG${name}` as SignalName) : { error: `expected one of ${SIGNALS.join(', ')} (with or without SIG), got ${JSON.stringify(value)}` };
}

function integerOf(value: string, of: string): number | { error: string } {
  return /^\d+$/.test(value) ? Number(value) : { error: `expected a whole number of ${of}, got ${JSON.stringify(value)}` };
}

/** supervisord's booleans (`boolean` in its options). */
function booleanOf(value: string): boolean | { error: string } {
  const lower = value.toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(lower)) return true;
  if (['false', 'no', 'off', '0'].includes(lower)) return false;
  return { error: `expected true or false, got ${JSON.stringify(value)}` };
}

/** The configuration a supervisord `stop:` names: the settings of the `[program:x]` section `stop.program` names (or the only one). */
export const supervisordConf: StopFileReader<SupervisordWritten, SupervisordWritten> = {
  model: supervisord.name,
  read: async (stop, path, written) => {
    const read = await readSupervisordConf(path, stop.program, written);
    return { settings: read.settings, source: `${stop.file} [program:${read.program}]` };
  },
};
