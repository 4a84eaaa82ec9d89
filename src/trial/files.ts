import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
