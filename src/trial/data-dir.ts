import { readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/** More entries than this, or any subdirectory, and the removal goes to the thread pool. */
const AT_ONCE = 64;

/**
 * Removes a trial's data directory. The usual one holds a few files: removed at once with plain syscalls (µs each)
 * rather than a round trip to the thread pool per entry, which cost 2.5 ms a trial on a busy 2-core machine — a
 * tenth of a bare spawn. A larger tree is removed asynchronously, so that it does not hold up the event loop other
 * trials' timers run on.
 */
export async function removeDataDir(dir: string): Promise<void> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length <= AT_ONCE && entries.every((e) => !e.isDirectory())) {
    try {
      for (const e of entries) unlinkSync(`${dir}/${e.name}`);
      rmdirSync(dir);
      return;
    } catch {
      // something appeared or changed meanwhile: the thorough way below
    }
  }
  await rm(dir, { recursive: true, force: true });
}
