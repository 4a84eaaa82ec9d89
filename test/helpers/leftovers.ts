import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalRecord } from '../../src/leftovers/journal.js';
import { containersWithLabel, networksWithLabel } from './docker.js';

export const newDir = (prefix: string) => mkdtempSync(join(tmpdir(), `sigstorm-${prefix}-`));

const stateDirs: string[] = [];

/** A private leftovers-journal directory for one sigstorm run under test (see `sweepStateDirs`). */
export function newStateDir(): string {
  const dir = newDir('state');
  stateDirs.push(dir);
  return dir;
}

/** After the tests: whatever a failed test left behind is removed by sigstorm's own gc. */
export async function sweepStateDirs(): Promise<void> {
  const { sigstorm } = await import('./cli.js');
  for (const dir of stateDirs.splice(0)) await sigstorm(['gc'], { env: { SIGSTORM_STATE_DIR: dir } });
}

/** The journal records sigstorm process `pid` has written so far into `stateDir`. */
export function journalOf(stateDir: string, pid: number): JournalRecord[] {
  const dir = join(stateDir, 'runs');
  const name = existsSync(dir) ? readdirSync(dir).find((n) => n.startsWith(`${pid}-`)) : undefined;
  return name ? recordsIn(join(dir, name)) : [];
}

function recordsIn(file: string): JournalRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return []; // removed between the listing and the read: sigstorm deletes its journal on a clean exit
  }
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as JournalRecord];
      } catch {
        return [];
      }
    });
}

/** Resolves with the journal so far once sigstorm `pid` reports reaching `phase` (rejects after `timeoutMs`). */
export function reachedPhase(stateDir: string, pid: number, phase: string, timeoutMs = 90_000): Promise<JournalRecord[]> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const records = journalOf(stateDir, pid);
      if (records.some((r) => r.op === 'phase' && r.phase === phase)) {
        clearInterval(poll);
        resolve(records);
      } else if (Date.now() - start > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`sigstorm ${pid} did not reach ${phase} within ${timeoutMs} ms`));
      }
    }, 10);
  });
}

/** Host processes whose environment carries a sigstorm owner token starting with `runId`. */
export function processesOfRun(runId: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return state !== 'Z' && env.some((e) => e.startsWith('SIGSTORM_OWNER=') && e.includes(runId));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Everything a sigstorm process could have left on this host, checked independently of sigstorm's own code:
 * containers and networks by its pid label, processes by token, data directories, iptables rules on the host.
 */
export function leftoversOf(pid: number, runIds: string[], records: JournalRecord[] = []): string[] {
  const found: string[] = [];
  // A process that writes its title over its environment (Redis) hides its token: the journal named its session.
  for (const r of records) {
    if (r.op !== 'created' || !r.pid || !r.startTime) continue;
    try {
      const stat = readFileSync(`/proc/${r.pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]) === r.startTime) found.push(`process ${r.pid} (journalled)`);
    } catch {
      // gone
    }
  }
  for (const id of containersWithLabel(`sigstorm.pid=${pid}`)) found.push(`container ${id}`);
  for (const id of networksWithLabel(`sigstorm.pid=${pid}`)) found.push(`network ${id}`);
  for (const runId of runIds) {
    for (const p of processesOfRun(runId)) found.push(`process ${p}`);
    for (const d of readdirSync(tmpdir()).filter((n) => n.startsWith(`sigstorm-data-${runId}`))) found.push(`directory ${d}`);
  }
  if (execFileSync('iptables', ['-w', '-S'], { encoding: 'utf8' }).includes('sigstorm-partition')) found.push('iptables rule on the host');
  return found;
}

/** Run ids a journal announced (trial ids start with the campaign's). */
export const runIdsIn = (records: JournalRecord[]): string[] => [
  ...new Set(
    records.flatMap((r) =>
      r.op !== 'intent' ? [] : r.resource.kind === 'container' ? [r.resource.run] : r.resource.kind === 'process' ? [r.resource.token] : [],
    ),
  ),
];

/** Keeps every journal record of sigstorm `pid` seen until `stop()` (the journal is deleted on a clean exit). */
export function collectJournal(stateDir: string, pid: number) {
  // sigstorm deletes its journal on a clean exit, right after the last records it appends: a hard link to the file,
  // made as soon as it appears, keeps every record to the end however late the last poll comes.
  const kept = join(stateDir, `journal-of-${pid}.jsonl`);
  let linked = false;
  let records: JournalRecord[] = [];
  const read = () => {
    const dir = join(stateDir, 'runs');
    const name = linked || !existsSync(dir) ? undefined : readdirSync(dir).find((n) => n.startsWith(`${pid}-`));
    if (name) {
      try {
        linkSync(join(dir, name), kept);
        linked = true;
      } catch {
        // removed meanwhile: what the polls read is all there is
      }
    }
    const now = linked ? recordsIn(kept) : journalOf(stateDir, pid);
    if (now.length > records.length) records = now;
  };
  const poll = setInterval(read, 10);
  return {
    get records() {
      return records;
    },
    stop: () => {
      clearInterval(poll);
      read();
      rmSync(kept, { force: true });
      return records;
    },
  };
}
