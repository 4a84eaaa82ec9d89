import { relative } from 'node:path';

/** A path as a person would type it from here: relative below the working directory, absolute otherwise. */
export function displayPath(path: string): string {
  const near = relative(process.cwd(), path);
  return near && !near.startsWith('..') ? near : path;
}
