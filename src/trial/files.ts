import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OracleSettings } from '../scenario/types.js';
import type { TrialRecord } from './record.js';

/** True when some file under `dir` matches `pattern`, a relative path whose segments may hold `*` wildcards. */
export function matchesFile(dir: string, pattern: string): boolean {
  const segments = pattern.split('/').filter(Boolean);
  const walk = (at: string, i: number): boolean => {
    if (i === segments.length) return exists(at);
    const segment = segments[i]!;
    if (!segment.includes('*')) return walk(join(at, segment), i + 1);
    const re = new RegExp(`^${segment.split('*').map(escape).join('[^/]*')}$`);
    return entries(at).some((name) => re.test(name) && walk(join(at, name), i + 1));
  };
  return walk(dir, 0);
}

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

const exists = (path: string) => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};

const entries = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/** The ids in a read-back's text: each line that is a bare id, or what `pattern`'s group `id` finds in it. */
export function storedIds(text: string, pattern?: string): number[] {
  const re = pattern === undefined ? undefined : new RegExp(pattern);
  return text.split('\n').flatMap((line) => {
    const id = re ? re.exec(line)?.groups?.id : line.trim();
    return id !== undefined && /^\d+$/.test(id.trim()) ? [Number(id)] : [];
  });
}

/** The ids a target wrote to its acknowledged-writes file. */
export async function readBack(dataDir: string, file: string, pattern?: string): Promise<NonNullable<TrialRecord['readback']>> {
  try {
    return { file, ids: storedIds(await readFile(join(dataDir, file), 'utf8'), pattern) };
  } catch (error) {
    return { file, ids: [], error: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

/** The files the scenario says must be gone (`removed_on_exit`) or still there (`kept_on_exit`) once the target is. */
export function filesLeft(dataDir: string, settings: OracleSettings['handles']): TrialRecord['files'] {
  return [
    ...settings.removed_on_exit.map((path) => ({ path, exists: matchesFile(dataDir, path), must: 'removed' as const })),
    ...settings.kept_on_exit.map((path) => ({ path, exists: matchesFile(dataDir, path), must: 'kept' as const })),
  ];
}
