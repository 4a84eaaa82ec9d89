import { z } from 'zod';
import { duration } from '../../input/fields/duration.js';
import { signal } from '../../input/fields/signal.js';

// `faults:`: what `sigstorm fuzz` may generate. Every key has its default here but `signals`, which is drawn from
// the scenario's contract when it is left out (normalize.ts).

export const faultSpace = z
  .strictObject({
    signals: z
      .array(signal)
      .min(1)
      .optional()
      .meta({
        description:
          'Signals the fuzzer may send (default: the stop signal, every signal in `expect`, and SIGTERM + SIGINT when the stop signal is one of them)',
      }),
    to: z
      .array(z.enum(['main', 'group', 'children', 'all']))
      .min(1)
      .default(['main'])
      .meta({ description: "Which of the target's processes a signal may go to: its main process, its process group, the main process's children, or all of them" }),
    services: z
      .array(z.string())
      .default([])
      .meta({
        description:
          'Dependencies the fuzzer may signal (their stop signal and the signals under their `expect`) and, with `pauses`, freeze; partitions between the target and each dependency come with `partitions`',
      }),
    races: z.boolean().default(true).meta({ description: 'Draw races: two terminating signals back to back' }),
    storms: z.boolean().default(true).meta({ description: 'Draw storms of the signals the target must survive (those `expect` marks `alive: true`)' }),
    startup: z
      .boolean()
      .optional()
      .meta({
        description:
          "Draw signals timed from the target's spawn, during its start-up (`from: spawn`), within the start-up time measured on the campaign's first trial (default: on when that is 1 s or more)",
      }),
    pauses: z.boolean().default(false).meta({ description: 'Draw pauses: the target (or a dependency of `services`) frozen for a while, then thawed' }),
    partitions: z
      .boolean()
      .default(false)
      .meta({
        description:
          'Draw partitions: the traffic between the workload and the target (and between the target and each dependency of `services`) cut for a while',
      }),
    flaps: z
      .boolean()
      .default(false)
      .meta({ description: "A rollout: draw readiness flaps, a new replica's probe failing for a few periods after it first passed (the balancer takes it out and back in)" }),
    max_events: z.number().int().min(1).max(20).default(3).meta({ description: 'At most this many events in a schedule' }),
    horizon: duration().default(1500).meta({ description: 'Events fall within this long after readiness (at first: see `horizon_max`)' }),
    horizon_max: duration()
      .optional()
      .meta({
        description:
          "How far a campaign may grow the horizon when the target shows new activity later than it (default: the horizon or 10s, whichever is longer; the horizon's value: it never grows)",
      }),
    step: duration()
      .refine((ms) => ms >= 1, { message: 'expected a step of at least 1ms' })
      .default(25)
      .meta({ description: 'Event times are multiples of this (coarse steps shrink well)' }),
  })
  .meta({ description: 'What `sigstorm fuzz` may generate' });
