import { z } from 'zod';
import { defaultsWhenAbsent } from '../../input/defaults.js';
import { duration } from '../../input/fields/duration.js';
import { exitStatus } from './expectation.js';

// `oracles:`: the settings of the oracles that judge each trial. A section left out takes its keys' defaults.

const lostRequests = z
  .strictObject({
    no_refusals_for: duration()
      .default(0)
      .meta({ description: 'After the first terminating signal, connections must still be accepted this long (the endpoint-removal race)' }),
  })
  .meta({ description: 'The lost-requests oracle: every request sent before the first terminating signal must end ok' });

const handles = z
  .strictObject({
    fd_slack: z.number().int().min(0).default(8).meta({ description: 'fd growth tolerated across survived signals, per kind (sockets net of the workload connections)' }),
    allow_zombies: z.boolean().default(false).meta({ description: 'Zombies (children their parent never reaped) are not failed' }),
    removed_on_exit: z
      .array(z.string())
      .default([])
      .meta({ description: 'Files (in the data directory) the target must have removed when it is gone; `*` matches within a path segment' }),
    kept_on_exit: z
      .array(z.string())
      .default([])
      .meta({ description: 'Files (in the data directory) the target must have left when it is gone (a checkpoint, a report); `*` matches within a path segment' }),
  })
  .meta({ description: 'The handles oracle: fds, zombies, processes and files the target leaves behind' });

// Left out, the second-signal oracle judges by `ignore` within 1 s (scenario/second-signal.ts says why).
const secondSignal = z.strictObject({
  policy: z.enum(['ignore', 'force-exit']).meta({
    description:
      'A second terminating signal during shutdown: ignored (the drain continues; the default when `second_signal` is left out, since production ' +
      'sends stop signals twice) or forces a quick exit (declare it for a service whose repeated signal means "stop now", like lighttpd\'s SIGINT)',
  }),
  within: duration().default(1000).meta({
    description: 'force-exit: gone this long after the second signal; ignore: an end this soon after it counts as caused by it',
  }),
  exit: z
    .array(exitStatus)
    .min(1)
    .optional()
    .meta({ description: "force-exit: the statuses a forced exit may end with (left out: any, the forced stop's status being the service's own; a crash always fails)" }),
});

export const oracleSettings = z
  .strictObject({
    lost_requests: defaultsWhenAbsent(lostRequests),
    handles: defaultsWhenAbsent(handles),
    second_signal: secondSignal.optional().meta({ description: 'Policy for a second terminating signal during the drain; left out: `{ policy: ignore, within: 1s }`' }),
  })
  .meta({ description: 'Settings of the oracles that judge each trial' });
