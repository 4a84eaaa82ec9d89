import { watch, type FSWatcher } from 'node:fs';
import type { FileChange, FileFeed } from '../faults/anchor.js';
import { unwatchOnThread, watchOnThread } from '../host/timing-thread.js';
import { now } from '../time.js';

/** A target writing faster than this is not watched further: the events timed from its writes have had their chance. */
const MAX_CHANGES = 20_000;

/** The changes to a trial's data directory, as the kernel reports them (inotify), for events timed from a write. */
export interface FileWatch extends FileFeed {
  close(): void;
}

/**
 * Watches the data directory's own files (not its subdirectories) from now until `close`: each change is dated when
 * its notification is read, within the same turn of the event loop, so a signal timed 0 ms after a write follows it
 * by the event loop's latency, not by a polling period. Undefined when the directory cannot be watched (gone, or out
 * of inotify watches): the anchored events then wait in vain, and their records say so. `onThread`: the watch thread
 * reads the same writes too, for signals timed from one (only then: setting it up blocks the event loop a moment).
 */
export function watchDataDir(dir: string, onThread: boolean): FileWatch | undefined {
  const changes: FileChange[] = [];
  const listeners = new Set<(change: FileChange) => void>();
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { persistent: false }, (_kind, name) => {
      if (!name || changes.length >= MAX_CHANGES) return;
      const change = { atMs: now(), name: String(name) };
      changes.push(change);
      for (const listener of listeners) listener(change);
    });
  } catch {
    return undefined;
  }
  watcher.on('error', () => watcher.close()); // the directory removed under it: nothing more to report
  // The watch thread reads the same writes for the signals timed from one: it releases them without this event loop.
  const thread = onThread ? watchOnThread(dir) : undefined;
  return {
    changes,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    thread,
    close: () => {
      watcher.close();
      if (thread !== undefined) unwatchOnThread(thread);
    },
  };
}
