import type { Problem } from '../../input/problem.js';
import { ScenarioError } from '../../input/scenario-error.js';
import type { WrittenStop } from '../schema/stop.js';

/** The keys a model's `stop:` may be given, as the scenario writes them after parsing (ms, "SIGTERM", argv arrays). */
export type WrittenKeys<M extends WrittenStop['model']> = Extract<WrittenStop, { model: M }>;

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
