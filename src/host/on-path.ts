import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether `name` is an executable file in one of the directories of `path` (PATH's, by default). */
export function onPath(name: string, path = process.env.PATH ?? ''): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}
