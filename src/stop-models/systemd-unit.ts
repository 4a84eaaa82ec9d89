import { readIni, type IniEntry } from '../input/ini.js';
import { normalizeSignal } from '../signals.js';
import { MAX_DURATION_MS } from '../time.js';
import { throwProblems, type FileSettings, type SettingProblem, type StopFileReader } from './file-settings.js';
import { systemd, type SystemdWritten } from './systemd.js';
import { splitCommandLine } from './systemd-command.js';
import { parseTimeSpan } from './systemd-time.js';

export type SystemdKeys = Pick<SystemdWritten, 'exec_stop' | 'kill_signal' | 'kill_mode' | 'send_sighup' | 'send_sigkill' | 'timeout_stop' | 'final_kill_signal'>;

// How each [Service] key that shapes the stop (systemd.kill(5), systemd.service(5)) reads into a scenario key.
// Every other key, and every other section, is left alone: it is the team's real unit.
const SINGLE: Record<string, { setting: Exclude<keyof SystemdKeys, 'exec_stop'>; read: (value: string) => unknown | { error: string } }> = {
  KillSignal: { setting: 'kill_signal', read: (v) => signalOf(v) },
  FinalKillSignal: { setting: 'final_kill_signal', read: (v) => signalOf(v) },
  KillMode: { setting: 'kill_mode', read: killModeOf },
  SendSIGHUP: { setting: 'send_sighup', read: booleanOf },
  SendSIGKILL: { setting: 'send_sigkill', read: booleanOf },
  // TimeoutSec= sets the start and the stop timeout; whichever of the two comes last wins, as in systemd.
  TimeoutStopSec: { setting: 'timeout_stop', read: timeoutOf },
  TimeoutSec: { setting: 'timeout_stop', read: timeoutOf },
};

/**
 * The stop settings of a systemd unit's [Service] section, as the scenario's `stop:` keys. `written`: the keys the
 * scenario gives itself, whose values in the unit are not used (nor judged).
 */
export async function readSystemdUnit(path: string, written: readonly string[] = []): Promise<FileSettings<SystemdKeys>> {
  const unit = await readIni(path, 'systemd unit', 'systemd');
  const settings: SystemdKeys = {};
  const lines: FileSettings<SystemdKeys>['lines'] = {};
  const problems: SettingProblem[] = [];
  if (!unit.sections.some((s) => s.name === 'Service')) {
    const found = unit.sections.map((s) => `[${s.name}]`).join(', ') || 'none';
    throwProblems([{ file: path, line: 1, keyPath: '', message: `expected a [Service] section (the unit of a service); it has: ${found}` }], []);
  }
  const problem = (entry: IniEntry, setting: keyof SystemdKeys, message: string) =>
    problems.push({ file: path, line: entry.line, column: entry.column, keyPath: `[Service] ${entry.key}`, message, setting });

  for (const entry of unit.entries.filter((e) => e.section === 'Service')) {
    if (entry.key === 'ExecStop') {
      // Each line adds its commands; an empty one empties the list.
      if (entry.value === '') {
        settings.exec_stop = [];
        lines.exec_stop = entry.line;
        continue;
      }
      const split = splitCommandLine(entry.value);
      if ('error' in split) {
        problem(entry, 'exec_stop', split.error);
        continue;
      }
      if (!settings.exec_stop?.length) lines.exec_stop = entry.line;
      settings.exec_stop = [...(settings.exec_stop ?? []), ...split.commands];
      continue;
    }
    const key = Object.hasOwn(SINGLE, entry.key) ? SINGLE[entry.key]! : undefined;
    if (!key) continue;
    // An empty assignment puts the default back.
    if (entry.value === '') {
      delete settings[key.setting];
      delete lines[key.setting];
      continue;
    }
    const value = key.read(entry.value);
    if (typeof value === 'object' && value !== null && 'error' in value) {
      problem(entry, key.setting, (value as { error: string }).error);
      continue;
    }
    (settings as Record<string, unknown>)[key.setting] = value;
    lines[key.setting] = entry.line;
  }
  throwProblems(problems, written);
  return { file: path, settings, lines };
}

function signalOf(value: string) {
  return normalizeSignal(value) ?? { error: `expected a signal such as SIGTERM, TERM or 15, got ${JSON.stringify(value)}` };
}

function killModeOf(value: string) {
  if (value === 'none') return { error: 'sigstorm cannot play KillMode=none: nothing is killed' };
  return ['control-group', 'mixed', 'process'].includes(value) ? value : { error: `expected control-group, mixed or process, got ${JSON.stringify(value)}` };
}

/** systemd's booleans (parse_boolean). */
function booleanOf(value: string) {
  const lower = value.toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(lower)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(lower)) return false;
  return { error: `expected a boolean (yes, no, true, false, on, off, 1, 0), got ${JSON.stringify(value)}` };
}

function timeoutOf(value: string) {
  const ms = parseTimeSpan(value);
  // systemd reads a zero timeout as no timeout at all.
  if (ms === 'infinity' || ms === 0) {
    return { error: `${value} means no timeout, and sigstorm needs a bound: set stop.timeout_stop in the scenario` };
  }
  if (ms === undefined) return { error: `expected a time span such as 90, 90s, 5min 20s or 500ms, got ${JSON.stringify(value)}` };
  return ms <= MAX_DURATION_MS ? ms : { error: `expected at most 24 days, got ${value}` };
}

/** The unit a systemd `stop:` names: its [Service] settings. */
export const systemdUnit: StopFileReader<SystemdWritten, SystemdWritten> = {
  model: systemd.name,
  read: async (stop, path, written) => ({ settings: (await readSystemdUnit(path, written)).settings, source: stop.file }),
};
