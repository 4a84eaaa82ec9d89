import type { Clues } from './clues.js';
import type { Runtime } from './runtime.js';
import type { Diagnosis, OracleResult } from './verdict.js';

// The shape of a diagnosis catalogue entry (diagnoses.ts, server-diagnoses.ts), apart from the entries themselves.

/** A sentence, or one filled in from the evidence (where it names a signal, a count). */
export type Text = string | ((c: Clues, f: OracleResult) => string);
/**
 * A sentence in each runtime's own API where they differ (Python's server.shutdown(), Node's server.close(), Go's
 * Shutdown), and a runtime-neutral one for the others and for a runtime the record does not name.
 */
export type ByRuntime = { neutral: Text } & Partial<Record<Exclude<Runtime, 'unknown'>, Text>>;

/**
 * One entry of the catalogue: the failures it can explain (`oracle/kind`, `oracle/*` for any kind), what it must
 * see in the record, and its cause and fix (sentences, per runtime where the words differ).
 */
export interface Entry {
  id: string;
  /** The evidence it reads, in words (docs/reference/diagnoses.md, generated). */
  reads: string;
  explains: string[];
  confidence: Diagnosis['confidence'];
  when: (c: Clues, f: OracleResult) => boolean;
  cause: Text | ByRuntime;
  fix: Text | ByRuntime;
  /** Where the behaviour the text speaks of is documented, when it is a catalogued server's (src/servers/). */
  source?: (c: Clues, f: OracleResult) => { server: string; url: string; quote: string } | undefined;
}

