import { SERVERS } from '../servers/catalogue.js';
import type { Meaning, ServerEntry, SignalFact } from '../servers/server.js';
import type { TrialRecord } from '../trial/record.js';

/** The server the record shows, the version its banner printed (when it prints one), and the evidence, in words. */
export interface ServerFinding {
  server: ServerEntry;
  version?: string;
  evidence: string;
}

/** Banners come at start-up: the first lines say it, and a long log is not searched to its end. */
const BANNER_LINES = 200;

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const matches = (source: string | undefined, text: string) => source !== undefined && new RegExp(source).test(text);

/**
 * The processes that are the service: the main one and its children (a shell or start_server parent runs the
 * server as its child; a pre-forking server's workers are its children).
 */
function serviceProcesses(record: Pick<TrialRecord, 'target' | 'samples' | 'executables'>) {
  const pid = record.target.pid;
  const processes = record.samples.flatMap((s) => s.processes).filter((p) => p.pid === pid || p.ppid === pid);
  const pids = new Set([pid, ...processes.map((p) => p.pid)]);
  const comms = [...new Set(processes.map((p) => p.comm))];
  const exes = [...new Set((record.executables ?? []).filter((e) => pids.has(e.pid)).map((e) => e.path))];
  return { comms, exes };
}

/** The first banner line of the log that the entry's banner matches, with its version (the first capture group). */
function banner(entry: ServerEntry, lines: string[]): { line: string; version?: string } | undefined {
  if (!entry.recognise?.banner) return undefined;
  const re = new RegExp(entry.recognise.banner);
  for (const line of lines) {
    const m = re.exec(line);
    if (m) return { line, ...(m[1] ? { version: m[1] } : {}) };
  }
  return undefined;
}

/**
 * The catalogued server the target runs, from the record alone: the executable (its file's name) or comm of the main
 * process or of a child, or a banner line it printed. The first entry of the catalogue whose evidence is there wins
 * (the catalogue lists the specific before the general). Undefined when nothing in the record names one.
 */
export function serverOf(record: Pick<TrialRecord, 'target' | 'samples' | 'executables' | 'logs'>): ServerFinding | undefined {
  const { comms, exes } = serviceProcesses(record);
  const lines = record.logs.slice(0, BANNER_LINES).map((l) => l.text);
  for (const server of SERVERS) {
    const r = server.recognise;
    if (!r) continue;
    const seen = banner(server, lines);
    const exe = exes.find((p) => matches(r.exe, base(p)));
    const comm = comms.find((c) => matches(r.comm, c));
    const evidence = [exe && `the executable ${exe}`, comm && `the command name ${comm}`, seen && `the banner "${seen.line.trim()}"`].filter(Boolean);
    if (evidence.length > 0) return { server, ...(seen?.version ? { version: seen.version } : {}), evidence: evidence.join(', ') };
  }
  return undefined;
}

/** major.minor as numbers, for comparing releases ('2.0.21-debian' → [2, 0]). */
const release = (v: string) => v.split(/[.-]/).slice(0, 2).map((n) => Number.parseInt(n, 10) || 0);
const below = (a: number[], b: number[]) => a[0]! < b[0]! || (a[0] === b[0] && (a[1] ?? 0) < (b[1] ?? 0));

/** Whether a fact's `versions` (`>=2`, `<3.4`) holds for a version; a fact without one holds for all. */
export function holdsFor(fact: Pick<SignalFact, 'versions'>, version: string | undefined): boolean {
  if (!fact.versions) return true;
  const m = /^(>=|<)\s*(\d+(?:\.\d+)?)$/.exec(fact.versions);
  if (!m || version === undefined) return false;
  const isBelow = below(release(version), release(m[2]!));
  return m[1] === '<' ? isBelow : !isBelow;
}

/**
 * What the catalogue says `signal` does to the server found, for its version: every fact (a behaviour that depends on a
 * setting has one per setting). Without a version, the facts for any version, newest ranges (`>=`) first.
 */
export function factsFor(found: ServerFinding | undefined, signal: string, meanings?: readonly Meaning[]): SignalFact[] {
  if (!found) return [];
  const facts = found.server.signals.filter((f) => f.signal === signal && (!meanings || meanings.includes(f.meaning)));
  if (found.version !== undefined) return facts.filter((f) => holdsFor(f, found.version));
  return [...facts].sort((a, b) => rank(a) - rank(b));
}
const rank = (f: SignalFact) => (!f.versions ? 0 : f.versions.startsWith('>=') ? 1 : 2);
