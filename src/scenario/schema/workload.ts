import { z } from 'zod';
import { argv } from '../../input/fields/argv.js';
import { duration } from '../../input/fields/duration.js';
import { osText } from '../../input/fields/os-text.js';

// `workload:`: the client traffic of a trial.

/** A regular expression with a named group `id`, applied to each line of a read-back: the ids it finds were stored. */
const idPattern = z
  .string()
  .refine(
    (source) => {
      try {
        new RegExp(source);
        return /\(\?<id>/.test(source);
      } catch {
        return false;
      }
    },
    { message: 'expected a regular expression with a group named id, e.g. "^stored (?<id>\\d+)$"' },
  )
  .meta({ description: 'Regular expression with a group named id, tried on every line (default: the whole line is the id)' });

const requestStream = z.strictObject({
  path: z.string().startsWith('/'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']).default('GET'),
  rate: z.number().positive().max(2000).default(20).meta({ description: 'Requests started per second' }),
  concurrency: z.number().int().min(1).max(256).default(4).meta({ description: 'At most this many in flight' }),
  connection: z
    .enum(['keep-alive', 'fresh', 'mixed'])
    .default('mixed')
    .meta({ description: 'Reuse connections, open one per request, or alternate' }),
  timeout: duration().default(10_000),
});

export const workload = z
  .strictObject({
    requests: z.array(requestStream).default([]).meta({ description: 'HTTP request streams sent during the whole trial' }),
    streams: z
      .array(z.strictObject({ path: z.string().startsWith('/'), count: z.number().int().min(1).max(64).default(1) }))
      .default([])
      .meta({ description: 'Long-lived responses (SSE, chunked) opened once the target is ready' }),
    writes: z
      .strictObject({
        path: z.string().startsWith('/').meta({ description: 'POST <path>?id=N; a 2xx answer acknowledges write N' }),
        rate: z.number().positive().max(2000).default(20),
        concurrency: z.number().int().min(1).max(256).default(4),
        readback: z
          .union([
            osText
              .min(1)
              .transform((file): { file: string; pattern?: string } => ({ file }))
              .meta({ description: 'File in the data directory holding one stored id per line' }),
            z.strictObject({
              file: osText.min(1).meta({ description: 'File in the data directory' }),
              pattern: idPattern.optional(),
            }),
            z.strictObject({
              exec: argv.meta({
                description:
                  'Host command printing the stored ids, run in the scenario\'s directory once the target is gone; {data_dir} names the trial data directory, and with `service` {host} and {port} where that dependency listens',
              }),
              service: z.string().optional().meta({ description: 'The dependency that stores the writes' }),
              pattern: idPattern.optional(),
            }),
          ])
          .meta({
            description:
              'Where acknowledged writes are read back after the trial: a file in the data directory, or the output of a command (against a dependency); one id per line, or what `pattern` finds',
          }),
      })
      .optional(),
  })
  .meta({ description: 'Client traffic during a trial; every request goes on the ledger' });
