import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { infrastructure } from '../errors.js';

/** Writes reports/<scenario>/<run-id>/report.json atomically (temp file + rename) and returns its path. */
export async function writeReport(report: { scenario: { name: string }; runId: string }, reportDir: string): Promise<string> {
  const dir = join(reportDir, report.scenario.name, report.runId);
  const path = join(dir, 'report.json');
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(`${path}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
    await rename(`${path}.tmp`, path);
  } catch (error) {
    throw infrastructure(`cannot write ${path}: ${(error as Error).message}`);
  }
  return path;
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
