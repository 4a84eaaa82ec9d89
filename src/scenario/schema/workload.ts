import { z } from 'zod';
import { argv } from '../../input/fields/argv.js';
import { duration } from '../../input/fields/duration.js';

// `workload:`: the client traffic of a trial.

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
            z.string().min(1).meta({ description: 'File in the data directory holding one stored id per line' }),
            z.strictObject({
              service: z.string().meta({ description: 'The dependency that stores the writes' }),
              command: argv.meta({
                description:
                  'Host command printing one stored id per line, run once the target is gone; {host} and {port} name where the dependency listens',
              }),
            }),
          ])
          .meta({ description: 'Where acknowledged writes are read back after the trial: a file, or a command against a dependency' }),
      })
      .optional(),
  })
  .meta({ description: 'Client traffic during a trial; every request goes on the ledger' });
