import type { Executable, ProcessInfo } from '../host/process-info.js';
import type { TrialRecord } from '../trial/record.js';

/** The runtimes whose words a diagnosis can speak; `unknown` gets the runtime-neutral sentence. */
export const RUNTIMES = ['go', 'node', 'python', 'jvm', 'ruby', 'dotnet', 'shell', 'native', 'unknown'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** The runtime of the target's service, and the evidence in the record that names it (in words, for tests and people). */
export interface RuntimeFinding {
  runtime: Runtime;
  evidence: string;
}

/**
 * Interpreters and virtual machines by the name of their own executable (or the comm of a process that exec'd it by
 * that name): `python3.11`, `node`, `java`. These are the programs themselves, whatever script they run, so the name
 * is evidence. A compiled service's name is its author's choice ('server'): it says nothing of its language.
 */
const BY_NAME: [RegExp, Runtime][] = [
  [/^python[\d.]*$/, 'python'],
  [/^(node|nodejs)$/, 'node'],
  [/^java$/, 'jvm'],
  [/^(ruby|jruby)[\d.]*$/, 'ruby'],
  [/^dotnet$/, 'dotnet'],
  [/^(sh|bash|dash|ash|zsh|busybox)$/, 'shell'],
];
/**
 * Well-known C servers by their comm: a specific program, not a guess at a language (their workers share the comm).
 * Only consulted when the record has no executable for the process.
 */
const NATIVE_SERVERS = /^(nginx|httpd|apache2|lighttpd|haproxy|redis-server|memcached|varnishd|postgres|mysqld)$/;

/**
 * What each runtime prints when it crashes or dies of an uncaught error: the runtime's own format, not the service's.
 * Read from every line of the target's log, so it needs a crash (or a logged stack trace) to say anything.
 */
const CRASH_TEXT: [RegExp, Runtime, string][] = [
  [/^goroutine \d+ \[[^\]]+\]:$/, 'go', 'a Go goroutine trace in the log'],
  [/^Traceback \(most recent call last\):$/, 'python', 'a Python traceback in the log'],
  [/\(node:[\w/]+:\d+:\d+\)$|^node:internal\/|^node:\w+:\d+$/, 'node', "a Node stack frame (node:…) in the log"],
  [/^Exception in thread "[^"]*" [\w.$]+|^\s+at (java|javax|jdk|sun)\.[\w.$]+\(/, 'jvm', 'a Java exception in the log'],
  [/\.rb:\d+:in [`']/, 'ruby', 'a Ruby backtrace (file.rb:N:in) in the log'],
  [/^Unhandled exception\. System\.|^\s+at .+ in .+\.cs:line \d+$/, 'dotnet', 'a .NET exception in the log'],
];

/** Inits that run the service as their child (docker's `init: true`, tini): the service is the child, as under a shell. */
const INITS = /^(docker-init|tini|dumb-init|catatonit)$/;
/** Helpers a script runs as children, never the service itself: a shell looping on sleep is the service. */
const HELPERS = /^(sleep|cat|tee|tail|logger)$/;

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const byName = (name: string): Runtime | undefined => BY_NAME.find(([re]) => re.test(name))?.[1];

/** The runtime an executable's file shows: Go by its build info, an interpreter by its name, other ELF as native code. */
function fromExecutable(exe: Executable): RuntimeFinding | undefined {
  if (exe.go) return { runtime: 'go', evidence: `Go build info (${exe.go}) in ${exe.path}` };
  const named = byName(base(exe.path));
  if (named) return { runtime: named, evidence: `the executable ${exe.path}` };
  // Compiled to machine code with no Go build info: C, C++, Rust, … all stop and drain through the same POSIX calls.
  if (exe.elf) return { runtime: 'native', evidence: `a compiled executable without Go build info (${exe.path})` };
  return undefined;
}

function fromProcess(p: Pick<ProcessInfo, 'pid' | 'comm' | 'startTime'>, executables: Executable[]): RuntimeFinding | undefined {
  // The last one the process ran: after an exec (a shell's `exec "$@"`) it runs the service.
  const exe = executables.filter((e) => e.pid === p.pid && e.startTime === p.startTime).at(-1);
  const found = exe && fromExecutable(exe);
  if (found) return found;
  const named = byName(p.comm);
  if (named) return { runtime: named, evidence: `the command name ${p.comm}` };
  if (NATIVE_SERVERS.test(p.comm)) return { runtime: 'native', evidence: `the command name ${p.comm} (a C server)` };
  return undefined;
}

/**
 * The runtime of the target's service, from the record alone: what its main process runs (its executable, else its
 * comm when that names an interpreter), else the crash text in its log, else unknown. A shell whose child is another
 * program is an entrypoint wrapper, and an init (tini) always is one: the service is that child, and it is the child's
 * runtime that fixes speak of.
 */
export function runtimeOf(record: Pick<TrialRecord, 'target' | 'samples' | 'executables' | 'logs'>): RuntimeFinding {
  const processes = record.samples.flatMap((s) => s.processes);
  const executables = record.executables ?? [];
  const main = processes.find((p) => p.pid === record.target.pid) ?? executables.find((e) => e.pid === record.target.pid);
  const init = main !== undefined && INITS.test(main.comm);
  const mainFound = main && !init ? fromProcess(main, executables) : undefined;
  if (init || mainFound?.runtime === 'shell') {
    const by = init ? `run by ${main!.comm}` : "run by the entrypoint's shell";
    const children = processes.filter((p) => p.ppid === record.target.pid && p.pid !== record.target.pid && !HELPERS.test(p.comm));
    for (const child of children) {
      const found = fromProcess(child, executables);
      if (found && found.runtime !== 'shell') return { runtime: found.runtime, evidence: `${found.evidence}, ${by}` };
    }
    // A wrapper whose child says nothing of itself: the crash text may, else the service stays unknown.
    if (init || children.some((c) => byName(c.comm) !== 'shell')) return fromLogs(record) ?? { runtime: 'unknown', evidence: `a service of unknown runtime, ${by}` };
  }
  return mainFound ?? fromLogs(record) ?? { runtime: 'unknown', evidence: 'nothing in the record names it' };
}

function fromLogs(record: Pick<TrialRecord, 'logs'>): RuntimeFinding | undefined {
  for (const [re, runtime, evidence] of CRASH_TEXT) if (record.logs.some((l) => re.test(l.text))) return { runtime, evidence };
  return undefined;
}
