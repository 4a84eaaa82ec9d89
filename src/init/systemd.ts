import { badInput } from '../errors.js';
import { UNIT_PORT, type Sketch } from './common.js';
import { emptyDraft, withEntries, type Entry } from './draft.js';
import { shellWords } from './dockerfile.js';

// A systemd unit read as plain data: the [Service] command, environment and stop settings. The scenario runs the
// command as a process and leaves the stop to the systemd stop model, which reads the same unit at every run.

export interface UnitValue {
  value: string;
  line: number;
}

export interface SystemdFacts {
  file: string;
  /** [Service] keys, the last assignment of each (an empty one resets, as systemd does). */
  service: Map<string, UnitValue>;
  /** Environment= assignments, in order. */
  environment: UnitValue[];
  execStart?: { argv: string[]; line: number; raw: string };
}

/** The [Service] section's assignments, continuation lines joined, comments left out. */
export function parseSystemd(text: string, file: string): SystemdFacts {
  const service = new Map<string, UnitValue>();
  const environment: UnitValue[] = [];
  let section = '';
  let pending: { text: string; line: number } | undefined;
  const assign = (text: string, line: number) => {
    const m = /^([A-Za-z0-9]+)\s*=\s*(.*)$/.exec(text);
    if (!m || section !== 'Service') return;
    if (m[1] === 'Environment') (m[2] === '' ? environment.splice(0) : environment.push({ value: m[2]!, line }));
    else if (m[2] === '') service.delete(m[1]!);
    else service.set(m[1]!, { value: m[2]!, line });
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#') || line.startsWith(';'))) return;
    const sectionName = !pending && /^\[(.+)\]$/.exec(line);
    if (sectionName) return void (section = sectionName[1]!);
    const joined = pending ? `${pending.text} ${line}` : line;
    const first = pending?.line ?? i + 1;
    if (joined.endsWith('\\')) return void (pending = { text: joined.slice(0, -1).trim(), line: first });
    pending = undefined;
    assign(joined, first);
  });
  if (pending) assign(pending.text, pending.line);
  const start = service.get('ExecStart');
  if (!start) throw badInput(`${file}: expected a [Service] section with ExecStart=`);
  return { file, service, environment, execStart: { argv: execArgv(start.value), line: start.line, raw: start.value } };
}

/** ExecStart's words: its prefixes (-, @, :, +, !) dropped, up to a `;` that would start another command. */
export function execArgv(value: string): string[] {
  const prefix = /^[-@:+!]*/.exec(value)![0];
  const words = shellWords(value.slice(prefix.length));
  const end = words.indexOf(';');
  const argv = end >= 0 ? words.slice(0, end) : words;
  return prefix.includes('@') ? [argv[0]!, ...argv.slice(2)] : argv;
}

/** Environment= values: space-separated NAME=value pairs, each maybe quoted. */
export const environmentOf = (values: UnitValue[]): Record<string, string> =>
  Object.fromEntries(values.flatMap((v) => shellWords(v.value)).flatMap((pair) => (/^[A-Za-z_][A-Za-z0-9_]*=/.test(pair) ? [[pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]] : [])));

const DEFAULTS: Record<string, string> = { KillSignal: 'SIGTERM', KillMode: 'control-group', TimeoutStopSec: '90s' };

/** The scenario for the unit's service run as a process, stopped as systemd stops it. */
export function systemdDraft(facts: SystemdFacts, fileRel: string): Sketch {
  const f = facts.file;
  const s = facts.service;
  const start = facts.execStart!;
  const entries: Entry[] = [{ path: ['target', 'process', 'command'], value: start.argv, why: `ExecStart at ${f}:${start.line}, run without a shell.` }];
  const unknowns: string[] = [];
  const warnings: string[] = [];
  const env = environmentOf(facts.environment);
  if (Object.keys(env).length) entries.push({ path: ['target', 'process', 'env'], value: env, why: `Environment= at ${f}:${facts.environment.map((e) => e.line).join(', ')}.` });
  const cwd = s.get('WorkingDirectory');
  if (cwd) entries.push({ path: ['target', 'process', 'cwd'], value: cwd.value.replace(/^-/, ''), why: `WorkingDirectory at ${f}:${cwd.line}.` });
  if (/\$|%[a-zA-Z]/.test(start.raw)) unknowns.push(`values in ExecStart (${start.raw}): variables and % specifiers are written as they are, not filled in`);
  if (s.get('Type')?.value === 'forking') {
    warnings.push(`Type=forking at ${f}:${s.get('Type')!.line}: the command daemonizes and its first process exits. The process form needs the service in the foreground: change the command to run it so (nginx: -g 'daemon off;').`);
  }
  if (s.get('EnvironmentFile')) unknowns.push(`the variables of EnvironmentFile= (line ${s.get('EnvironmentFile')!.line}): add them under target.process.env`);
  const stops = ['KillSignal', 'KillMode', 'TimeoutStopSec', 'ExecStop'].map((k) => {
    const v = k === 'TimeoutStopSec' ? (s.get(k) ?? s.get('TimeoutSec')) : s.get(k);
    return v ? `${k}=${v.value} (line ${v.line})` : k in DEFAULTS ? `${k} defaulted to ${DEFAULTS[k]}` : `no ${k}`;
  });
  entries.push({ path: ['stop', 'model'], value: 'systemd', why: `Stopped as systemd stops this unit, read from it at every run: ${stops.join(', ')}.` });
  entries.push({ path: ['stop', 'file'], value: fileRel });
  unknowns.push(UNIT_PORT);
  const draft = withEntries(emptyDraft(f), entries, unknowns, warnings);
  return { draft, ready: { hasPort: true, names: start.argv }, stopSignal: s.get('KillSignal')?.value ?? 'SIGTERM' };
}
