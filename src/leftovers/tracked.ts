import { journal, type ResourceRef } from './journal.js';
import { killOwned } from './owned.js';

/**
 * Resources sigstorm created and must not leave behind, even when it exits abruptly. Each is announced in the
 * on-disk journal before it is created (see leftovers/journal.ts) and kept here with the way to remove it.
 */
export interface Owned {
  /**
   * Once it exists: how to remove it, for an interrupt that cannot wait for the normal teardown; and, for what can be
   * removed synchronously, how to at a `process.exit()` (processes are killed then without one).
   */
  created(detail: { id?: string; pid?: number; startTime?: number }, remove?: () => Promise<void> | void, removeAtExit?: () => void): void;
  /** Removed by the normal path: forget it. */
  released(): void;
}

const live = new Map<number, { resource: ResourceRef; remove?: () => Promise<void> | void; removeAtExit?: () => void }>();

export function own(resource: ResourceRef): Owned {
  const ref = journal.intend(resource);
  live.set(ref, { resource });
  return {
    created(detail, remove, removeAtExit) {
      journal.created(ref, detail);
      live.set(ref, { resource, ...(remove ? { remove } : {}), ...(removeAtExit ? { removeAtExit } : {}) });
    },
    released() {
      live.delete(ref);
      journal.released(ref);
    },
  };
}

/** Removes everything still tracked (containers asynchronously, processes at once). */
export async function releaseAll(): Promise<void> {
  await Promise.all(
    [...live].map(async ([ref, entry]) => {
      live.delete(ref);
      try {
        await entry.remove?.();
        journal.released(ref);
      } catch {
        // left in the journal for `sigstorm gc`
      }
    }),
  );
}

// Last resort on exit: processes can be killed synchronously, and what registered a synchronous removal (a data
// directory set aside) removed; containers need async calls and are handled by releaseAll on signals and, failing
// that, by `sigstorm gc` from the journal and the labels.
process.once('exit', () => {
  for (const [ref, { resource, removeAtExit }] of live) {
    try {
      if (resource.kind === 'process') killOwned(resource.token);
      else if (removeAtExit) removeAtExit();
      else continue;
      journal.released(ref);
    } catch {
      // left in the journal for `sigstorm gc`
    }
  }
  journal.closeIfClean();
});
