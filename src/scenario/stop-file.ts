import { resolve } from 'node:path';
import type { WrittenStop } from './schema/stop.js';
import { readKubernetesManifest } from './stop-files/kubernetes.js';
import { readSupervisordConf } from './stop-files/supervisord.js';
import { readSystemdUnit } from './stop-files/systemd.js';

/** The settings read from the file a scenario's `stop:` names, in the shape of its written keys. */
export interface StopFile {
  settings: Partial<WrittenStop> & { readinessKind?: string };
  /** "deploy/web.yaml (container web)": the file as the scenario names it, and the part of it read. */
  source?: string;
}

/**
 * Reads the settings of the file `stop.file` names (relative to the scenario's directory). Keys the scenario writes
 * itself win, so the file's problems with those keys are not raised. Throws a ScenarioError placed in that file.
 */
export async function readStopFile(stop: WrittenStop | undefined, scenarioDir: string): Promise<StopFile> {
  if (!stop || stop.model === 'docker' || !stop.file) return { settings: {} };
  const path = resolve(scenarioDir, stop.file);
  const written = Object.keys(stop).filter((k) => (stop as Record<string, unknown>)[k] !== undefined);
  const source = stop.file; // as the scenario names it
  switch (stop.model) {
    case 'kubernetes': {
      const read = await readKubernetesManifest(path, stop.container, written);
      return { settings: { ...read.settings, ...(read.readinessKind ? { readinessKind: read.readinessKind } : {}) }, source: `${source} (container ${read.container})` };
    }
    case 'systemd':
      return { settings: (await readSystemdUnit(path, written)).settings, source };
    case 'supervisord': {
      const read = await readSupervisordConf(path, stop.program, written);
      return { settings: read.settings, source: `${source} [program:${read.program}]` };
    }
  }
}
