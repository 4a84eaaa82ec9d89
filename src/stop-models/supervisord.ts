import { z } from 'zod';
import { duration } from '../input/fields/duration.js';
import { osText } from '../input/fields/os-text.js';
import { signal } from '../input/fields/signal.js';
import type { SignalName } from '../signals.js';
import { secondsText, sourceText, writtenOver, type StopFile, type StopModelDef } from './model.js';

/** supervisord's stop of a program: stopsignal, then SIGKILL after stopwaitsecs; to the process or its group. */
export interface SupervisordStop {
  model: 'supervisord';
  stopSignal: SignalName;
  stopWaitMs: number;
  stopAsGroup: boolean;
  /** Implied by stopAsGroup. */
  killAsGroup: boolean;
  source?: string;
}

/** supervisord's stopwaitsecs default. */
const WAIT_MS = 10_000;

const schema = z
  .strictObject({
    model: z.literal('supervisord'),
    file: osText.optional().meta({ description: 'A supervisord configuration file (relative to the scenario)' }),
    program: z.string().optional().meta({ description: 'The [program:x] section to read (default: the only one)' }),
    stop_signal: signal.optional().meta({ description: 'stopsignal (default TERM)' }),
    stop_wait: duration().optional().meta({ description: 'stopwaitsecs (default 10)' }),
    stop_as_group: z.boolean().optional().meta({ description: 'stopasgroup: the stop signal to the process group (implies kill_as_group)' }),
    kill_as_group: z.boolean().optional().meta({ description: 'killasgroup: the SIGKILL to the process group' }),
  })
  .meta({ description: 'supervisord\'s stop of a program: stopsignal, SIGKILL after stopwaitsecs' });

/** `stop:` of a supervisord model as written. */
export type SupervisordWritten = z.output<typeof schema>;

function resolve(written: SupervisordWritten, file: StopFile<SupervisordWritten>): SupervisordStop {
  const w = writtenOver(file.settings, written);
  const stopAsGroup = w.stop_as_group ?? false;
  return {
    model: 'supervisord',
    stopSignal: w.stop_signal ?? 'SIGTERM',
    stopWaitMs: w.stop_wait ?? WAIT_MS,
    stopAsGroup,
    // supervisord: "stopasgroup … implies killasgroup is true"
    killAsGroup: stopAsGroup || (w.kill_as_group ?? false),
    ...(file.source ? { source: file.source } : {}),
  };
}

export const supervisord: StopModelDef<SupervisordStop, SupervisordWritten, SupervisordWritten> = {
  name: 'supervisord',
  schema,
  resolve,
  contract: (s) => ({ signal: s.stopSignal, graceMs: s.stopWaitMs }),
  // It waits for the main process alone: what else remains is left running.
  plan: (s) => ({
    orchestrator: 'supervisord',
    hooks: [],
    signals: [{ signal: s.stopSignal, to: s.stopAsGroup ? 'group' : 'main' }],
    grace: { ms: s.stopWaitMs },
    ending: { waitFor: 'main', finalKill: { signal: 'SIGKILL', to: s.stopAsGroup || s.killAsGroup ? 'group' : 'main' } },
  }),
  fuzz: (s) => ({ drawsStop: true, signalAfterMs: 0, longestMs: s.stopWaitMs }),
  describe: (s) =>
    `supervisord${sourceText(s)}: ${s.stopSignal}${s.stopAsGroup ? ' to the group' : ''}, SIGKILL${s.killAsGroup ? ' to the group' : ''} after ${secondsText(s.stopWaitMs)}`,
  killer: 'supervisord',
  stepsInReports: true,
};
