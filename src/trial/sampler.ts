import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedTarget } from '../backends/target.js';
import { readExecutable } from '../host/executable.js';
import type { Executable, ProcessInfo } from '../host/process-info.js';
import { now } from '../time.js';
import type { ProcessSample } from './record.js';

const SAMPLE_EVERY_MS = 100;
const MAX_SAMPLES = 600;
/** A data directory with more entries than this is not listed: its writes are the target's data, not its rhythm. */
const MAX_WRITTEN = 50;
/** A pre-forking server's workers run the same file as their parent: the first few processes say what runs. */
const MAX_EXECUTABLES = 32;

/** /proc samples of a target's processes, as they are taken; `sample` takes one now, `stop` ends the ticks. */
export interface Sampler {
  samples: ProcessSample[];
  /** What each process seen runs, read once per process (and again after an exec, which changes its comm). */
  executables: Executable[];
  sample: () => void;
  stop: () => void;
}

/**
 * /proc samples of a target's processes every 100 ms (and whenever asked), at most 600 of them; with `dataDir`, each
 * also lists when the files there were last written (their mtimes, which date a write to the ms between samples).
 */
export function startSampler(target: StartedTarget, readyMs: number, dataDir?: string): Sampler {
  const samples: ProcessSample[] = [];
  const executables = executablesOf();
  let lastTargets = '';
  let lastWritten = '';
  const sample = () => {
    if (samples.length >= MAX_SAMPLES) return;
    const atMs = now() - readyMs;
    const processes = target.processes();
    executables.see(processes);
    // The main process's fd targets only where they changed: the record stays small over 600 samples.
    const main = processes.find((p) => p.pid === target.pid);
    if (main?.fdTargets) {
      const key = JSON.stringify(main.fdTargets);
      if (key === lastTargets) delete main.fdTargets;
      else lastTargets = key;
    }
    const written = dataDir ? writtenIn(dataDir, atMs) : undefined;
    const key = JSON.stringify(written ?? {});
    const changed = written && key !== lastWritten;
    if (changed) lastWritten = key;
    samples.push({ atMs, doneMs: now() - readyMs, processes, ...(changed ? { written } : {}) });
  };
  sample();
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  return { samples, executables: executables.list, sample, stop: () => clearInterval(timer) };
}

function executablesOf() {
  const list: Executable[] = [];
  const seen = new Set<string>();
  const see = (processes: ProcessInfo[]) => {
    for (const p of processes) {
      const key = `${p.pid}:${p.startTime}:${p.comm}`;
      if (list.length >= MAX_EXECUTABLES || seen.has(key)) continue;
      seen.add(key);
      const exe = readExecutable(p);
      if (exe) list.push(exe);
    }
  };
  return { list, see };
}

/** The regular files directly in `dir` by their mtime as ms on the sample's clock (`atMs` is now); {} when unreadable. */
export function writtenIn(dir: string, atMs: number): Record<string, number> {
  const written: Record<string, number> = {};
  try {
    const names = readdirSync(dir);
    if (names.length > MAX_WRITTEN) return written;
    const wall = Date.now();
    for (const name of names) {
      const stat = statSync(join(dir, name), { throwIfNoEntry: false });
      if (stat?.isFile()) written[name] = Math.round(atMs - (wall - stat.mtimeMs));
    }
  } catch {
    // the directory went away with the trial, or the target made it unreadable: nothing to tell
  }
  return written;
}
