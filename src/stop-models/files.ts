import { resolve } from 'node:path';
import type { StopFileReader } from './file-settings.js';
import { kubernetesManifest } from './kubernetes-manifest.js';
import type { StopFile, WrittenStop } from './model.js';
import { supervisordConf } from './supervisord-conf.js';
import { systemdUnit } from './systemd-unit.js';

// The readers of the files teams keep a model's settings in, by model: the scenario loader's, apart from the
// models (registry.ts), which the oracles consult and which must therefore never reach YAML or the file system.

let readers: readonly StopFileReader[] = [];

/** Adds the reader of a model's `file:`, for models that read one. */
export function registerStopFileReader(reader: StopFileReader): void {
  if (readers.some((r) => r.model === reader.model)) throw new Error(`the ${reader.model} stop model has a file reader already`);
  readers = [...readers, reader];
}

registerStopFileReader(kubernetesManifest);
registerStopFileReader(systemdUnit);
registerStopFileReader(supervisordConf);

/**
 * Reads the settings of the file `stop.file` names (relative to the scenario's directory). Keys the scenario writes
 * itself win, so the file's problems with those keys are not raised. Throws a ScenarioError placed in that file.
 */
export async function readStopFile(stop: WrittenStop | undefined, scenarioDir: string): Promise<StopFile> {
  const reader = stop?.file ? readers.find((r) => r.model === stop.model) : undefined;
  if (!stop?.file || !reader) return { settings: {} };
  const written = Object.keys(stop).filter((k) => (stop as unknown as Record<string, unknown>)[k] !== undefined);
  return reader.read(stop, resolve(scenarioDir, stop.file), written);
}
