import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { infrastructure } from '../errors.js';
import { redact } from './redact.js';

/** Writes reports/<scenario>/<run-id>/report.json atomically (temp file + rename) and returns its path. */
export async function writeReport(report: { scenario: { name: string }; runId: string }, reportDir: string): Promise<string> {
  const dir = join(reportDir, report.scenario.name, report.runId);
  const path = join(dir, 'report.json');
  try {
    await mkdir(dir, { recursive: true });
    // The last line of defence: callers mask the secrets they know of (redact.ts); here every key naming one.
    await writeFile(`${path}.tmp`, `${JSON.stringify(redact(report, []), null, 2)}\n`);
    await rename(`${path}.tmp`, path);
  } catch (error) {
    throw infrastructure(`cannot write ${path}: ${(error as Error).message}`);
  }
  return path;
}
