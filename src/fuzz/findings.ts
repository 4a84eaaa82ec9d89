import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Schedule } from '../schedule/event.js';

/** A minimal failing schedule kept between campaigns, so the next one checks yesterday's bugs first. */
export interface SavedFinding {
  signature: string;
  schedule: Schedule;
  foundAt: string;
  runId: string;
}

const file = (reportDir: string, scenario: string) => join(reportDir, scenario, 'findings.json');

export async function loadFindings(reportDir: string, scenario: string): Promise<SavedFinding[]> {
  try {
    const data = JSON.parse(await readFile(file(reportDir, scenario), 'utf8')) as { findings?: SavedFinding[] };
    return Array.isArray(data.findings) ? data.findings : [];
  } catch {
    return [];
  }
}

/** Adds (or refreshes) a finding, one per signature and schedule. */
export async function saveFinding(reportDir: string, scenario: string, finding: SavedFinding): Promise<void> {
  const all = (await loadFindings(reportDir, scenario)).filter(
    (f) => !(f.signature === finding.signature && JSON.stringify(f.schedule) === JSON.stringify(finding.schedule)),
  );
  all.push(finding);
  const path = file(reportDir, scenario);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, `${JSON.stringify({ findings: all }, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}
