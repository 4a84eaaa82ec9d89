import { appendFileSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isSameProcess, readStat } from '../host/procfs.js';

/**
 * What sigstorm is about to create, written to disk *before* it creates it, so that `sigstorm gc` can remove it
 * even after sigstorm was SIGKILLed half-way. Labels find containers; the journal also names what a label cannot
 * carry: host processes (by an environment token), temporary directories, iptables rules in a namespace.
 */
export type ResourceRef =
  | { kind: 'container'; run: string }
  | { kind: 'process'; token: string }
  | { kind: 'data-dir'; path: string }
  | { kind: 'iptables'; pid: number; startTime: number; rules: string[][] }
  | { kind: 'proxy'; port: number }
  | { kind: 'network'; run: string };

export type JournalRecord =
  | { op: 'open'; pid: number; startTime: number; argv: string[]; at: string }
  | { op: 'phase'; phase: Phase; detail?: string; at: string }
  | { op: 'intent'; ref: number; resource: ResourceRef; at: string }
  | { op: 'created'; ref: number; id?: string; pid?: number; startTime?: number; at: string }
  | { op: 'released'; ref: number; at: string };

/** Where a run is: written as it goes, so a test (or a person reading the journal) can see it. */
export type Phase = 'prepare' | 'starting' | 'ready' | 'fault' | 'stopping' | 'reading-back' | 'shrinking' | 'confirming' | 'reporting' | 'interrupted';

export const stateDir = (): string =>
  process.env.SIGSTORM_STATE_DIR ?? join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'sigstorm');

const runsDir = () => join(stateDir(), 'runs');

/** This process's journal: one JSON line per record, appended synchronously (a SIGKILL loses nothing written). */
class Journal {
  private path: string | undefined;
  private nextRef = 1;
  private outstanding = new Set<number>();
  private broken = false;

  intend(resource: ResourceRef): number {
    const ref = this.nextRef++;
    this.outstanding.add(ref);
    this.append({ op: 'intent', ref, resource, at: stamp() });
    return ref;
  }

  created(ref: number, detail: { id?: string; pid?: number; startTime?: number }): void {
    this.append({ op: 'created', ref, ...detail, at: stamp() });
  }

  released(ref: number): void {
    if (!this.outstanding.delete(ref)) return;
    this.append({ op: 'released', ref, at: stamp() });
  }

  phase(phase: Phase, detail?: string): void {
    this.append({ op: 'phase', phase, ...(detail ? { detail } : {}), at: stamp() });
  }

  /** The file, once anything has been written (tests and `gc` read it). */
  get file(): string | undefined {
    return this.path;
  }

  /** On a clean exit with nothing outstanding the journal has served its purpose. */
  closeIfClean(): void {
    if (!this.path || this.outstanding.size > 0) return;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private append(record: JournalRecord): void {
    if (this.broken) return;
    try {
      if (!this.path) {
        const self = readStat(process.pid);
        mkdirSync(runsDir(), { recursive: true });
        this.path = join(runsDir(), `${process.pid}-${self?.startTime ?? 0}.jsonl`);
        appendFileSync(this.path, line({ op: 'open', pid: process.pid, startTime: self?.startTime ?? 0, argv: process.argv.slice(2), at: stamp() }));
      }
      appendFileSync(this.path, line(record));
    } catch (error) {
      // A full or read-only disk must not stop a run: labels and in-memory tracking still clean up.
      this.broken = true;
      process.stderr.write(`sigstorm: warning: cannot write the leftovers journal in ${runsDir()} (${(error as NodeJS.ErrnoException).code ?? error}); a SIGKILLed run may leave processes that \`sigstorm gc\` cannot find\n`);
    }
  }
}

const stamp = () => new Date().toISOString();
const line = (record: JournalRecord) => `${JSON.stringify(record)}\n`;

export const journal = new Journal();

/** A journal of some sigstorm process, read back: what it left outstanding and whether it is still alive. */
export interface JournalFile {
  path: string;
  pid: number;
  startTime: number;
  alive: boolean;
  argv: string[];
  /** The last phase it reached. */
  phase: Phase | undefined;
  /** Resources it announced and never released, with what it learnt after creating them. */
  outstanding: { ref: number; resource: ResourceRef; id?: string; pid?: number; startTime?: number }[];
}

export function readJournals(): JournalFile[] {
  let names: string[];
  try {
    names = readdirSync(runsDir()).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(runsDir(), name);
    try {
      return [parseJournal(path, readFileSync(path, 'utf8'))];
    } catch {
      return [];
    }
  });
}

export function parseJournal(path: string, text: string): JournalFile {
  const file: JournalFile = { path, pid: 0, startTime: 0, alive: false, argv: [], phase: undefined, outstanding: [] };
  const open = new Map<number, JournalFile['outstanding'][number]>();
  for (const raw of text.split('\n')) {
    let record: JournalRecord;
    try {
      record = JSON.parse(raw) as JournalRecord;
    } catch {
      continue; // an empty line, or the last one cut short by a kill
    }
    if (record.op === 'open') Object.assign(file, { pid: record.pid, startTime: record.startTime, argv: record.argv });
    else if (record.op === 'phase') file.phase = record.phase;
    else if (record.op === 'intent') open.set(record.ref, { ref: record.ref, resource: record.resource });
    else if (record.op === 'created') Object.assign(open.get(record.ref) ?? {}, record.id ? { id: record.id } : {}, record.pid ? { pid: record.pid } : {}, record.startTime ? { startTime: record.startTime } : {});
    else if (record.op === 'released') open.delete(record.ref);
  }
  file.outstanding = [...open.values()];
  file.alive = file.pid > 0 && isSameProcess(file.pid, file.startTime);
  return file;
}
