import type { WrittenStop } from './schema/stop.js';

/** The settings read from the file a scenario's `stop:` names, in the shape of its written keys. */
export interface StopFile {
  settings: Partial<WrittenStop> & { readinessKind?: string };
  /** "deploy/web.yaml" (as the scenario names it), for the report. */
  source?: string;
}
