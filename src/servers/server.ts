// The shape of the server signal catalogue (catalogue.ts): plain data, read by the recogniser and the diagnoses
// (src/oracles/server.ts, diagnoses.ts) and rendered as docs/servers.md.

/** What a signal does to a server, in the catalogue's words. `other` says it in `words`. */
export const MEANINGS = ['graceful-stop', 'immediate-stop', 'reload', 'graceful-reload', 'reopen-logs', 'ignored', 'other'] as const;
export type Meaning = (typeof MEANINGS)[number];

/** Where a fact is written: the page (or source file) and the sentence quoted from it, as written there. */
export interface Source {
  url: string;
  quote: string;
}

/**
 * One documented fact: what `signal` does. `when` names the setting (or mode) it holds under, where the server's
 * behaviour depends on one (Puma's HUP: without stdout_redirect a stop, with it a log reopen); `versions` the
 * releases it holds for (`>=2`, `<2`: major[.minor]), where it changed.
 */
export interface SignalFact {
  signal: string;
  meaning: Meaning;
  words: string;
  when?: string;
  versions?: string;
  source: Source;
}

/** A setting that changes what a signal does or how long a graceful stop may take. */
export interface Setting {
  name: string;
  effect: string;
  /** The signals whose meaning it changes, or whose graceful stop it bounds. */
  signals: string[];
  source: Source;
}

/**
 * What in a trial record names the server (regular expressions, as source text so the catalogue stays JSON-like):
 * the basename of the main process's executable or of a child's, their comm, and a banner line the server prints at
 * start-up (with the version as the first capture group, where it prints one). An entry without `recognise` is
 * documentation only (a runtime's default, which the service's own code changes: Node, the JVM).
 */
export interface Recognise {
  exe?: string;
  comm?: string;
  banner?: string;
}

export interface ServerEntry {
  /** Lower-case, stable: the id a diagnosis names. */
  id: string;
  name: string;
  /** The releases the entry describes as a whole, in words (the facts' `versions` narrow it where it changed). */
  versions: string;
  recognise?: Recognise;
  signals: SignalFact[];
  settings: Setting[];
  /** The documented graceful stop, as a signal or a command, and where it is documented. */
  gracefulStop: { how: string; signal?: string; source: Source };
  /** The scenarios of scenarios/real/ that check it on the real server here; empty: documented, not verified here. */
  verified: string[];
}
