import type { Problem } from '../input/problem.js';
import { ScenarioError } from '../input/scenario-error.js';
import type { StopFile, WrittenStop } from './model.js';

// What the readers of the files teams keep their stop settings in share (kubernetes-manifest.ts, systemd-unit.ts,
// supervisord-conf.ts). They read files, so only files.ts reaches them: the models themselves stay pure.

/**
 * What a settings file says, in the shape of the scenario's written keys, so `{ ...settings, ...written }` lets the
 * scenario win; and the line each setting came from, for the report.
 */
export interface FileSettings<K extends object> {
  file: string;
  settings: K;
  lines: Partial<Record<keyof K, number>>;
}

/** A problem with the setting it spoils, if one: dropped when the scenario writes that setting itself. */
export type SettingProblem = Problem & { setting?: string };

/** Throws every problem left once those of settings the scenario writes itself are dropped. */
export function throwProblems(problems: SettingProblem[], written: readonly string[]): void {
  const left = problems.filter((p) => p.setting === undefined || !written.includes(p.setting)).map(({ setting: _, ...p }) => p);
  if (left.length > 0) throw new ScenarioError(left);
}

/** A model's file reader: the settings of the file `stop.file` names (at `path`), given the keys the scenario writes itself. */
export interface StopFileReader<W extends WrittenStop = WrittenStop, F extends object = object> {
  /** The model whose file it reads. */
  model: string;
  read(stop: W, path: string, written: readonly string[]): Promise<StopFile<F>>;
}
