import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { infrastructure, SigstormError } from '../errors.js';
import { redact } from './redact.js';

/** Writes reports/<scenario>/<run-id>/report.json atomically (temp file + rename) and returns its path. */
export async function writeReport(report: { scenario: { name: string }; runId: string }, reportDir: string): Promise<string> {
  const dir = join(reportDir, report.scenario.name, report.runId);
  const path = join(dir, 'report.json');
  // The last line of defence: callers mask the secrets they know of (redact.ts); here every key naming one.
  const safe = redact(report, []);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(`${path}.tmp`, `${JSON.stringify(safe, null, 2)}\n`);
    await rename(`${path}.tmp`, path);
  } catch (error) {
    throw new UnsavedReport(`cannot write ${path}: ${(error as Error).message}`, safe);
  }
  return path;
}

/** The report could not be written (disk full, read-only): it travels with the error so it can still be printed. */
export class UnsavedReport extends SigstormError {
  constructor(
    message: string,
    readonly report: unknown,
  ) {
    super('infrastructure', message, 'The report is printed on standard output instead, so nothing is lost; free some space or pass --report-dir.');
  }
}

/** Writes a text file (a rendered report), creating its directory; a failure is an infrastructure error. */
export async function writeText(path: string, text: string): Promise<string> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
  } catch (error) {
    throw infrastructure(`cannot write ${path}: ${(error as Error).message}`);
  }
  return path;
}
