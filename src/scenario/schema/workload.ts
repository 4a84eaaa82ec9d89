import { z } from 'zod';
import { argv } from '../../input/fields/argv.js';
import { duration } from '../../input/fields/duration.js';
import { osText } from '../../input/fields/os-text.js';

// `workload:`: the client traffic of a trial. Every kind feeds the same ledger, judged by the same oracles.

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

/** An open loop: a new operation every 1/rate s while fewer than `concurrency` are in flight. */
const rate = z.number().positive().max(2000).default(20).meta({ description: 'Operations started per second' });
const concurrency = z.number().int().min(1).max(256).default(4).meta({ description: 'At most this many in flight' });

const requestStream = z.strictObject({
  path: z.string().startsWith('/').meta({ description: 'The path requested, with its query string if any' }),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']).default('GET').meta({ description: 'The HTTP method' }),
  rate,
  concurrency,
  connection: z
    .enum(['keep-alive', 'fresh', 'mixed'])
    .default('mixed')
    .meta({ description: 'Reuse connections, open one per request, or alternate' }),
  timeout: duration().default(10_000).meta({ description: 'A request with no complete response by then is a timeout' }),
});

/** Where stored ids are read back once the target is gone: the bare-id file is the simplest form. */
export const readback = z
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
          "Host command printing the stored ids, run in the scenario's directory once the target is gone; {data_dir} names the trial data directory, and with `service` {host} and {port} where that dependency listens",
      }),
      service: z.string().optional().meta({ description: 'The dependency that stores the writes' }),
      pattern: idPattern.optional(),
    }),
    z.strictObject({
      http: z
        .string()
        .startsWith('/')
        .refine((path) => path.includes('{id}'), { message: 'expected a path with {id}, e.g. "/read?id={id}"' })
        .meta({ description: 'GET for each acknowledged id; a 2xx answer says it was stored, a 404 that it was not' }),
      service: z.string().optional().meta({ description: 'Ask this dependency (still up) rather than the target' }),
      restart: z
        .boolean()
        .default(false)
        .meta({ description: 'Start the target again over the same data directory and ask it (the target itself is gone by then)' }),
    }),
  ])
  .meta({
    description:
      'Where stored ids are read back after the trial: a file in the data directory, the output of a command (against a dependency), or an HTTP GET per id (to a restarted target or a dependency); one id per line, or what `pattern` finds',
  });

/** A TCP request: text (escapes as YAML writes them) or hex bytes, with {id} replaced by the operation id. */
const tcpStream = z
  .strictObject({
    send: osText.min(1).optional().meta({ description: 'Request text; {id} becomes the operation id' }),
    send_hex: z
      .string()
      .regex(/^([0-9a-fA-F]{2})+$/, 'expected pairs of hex digits')
      .optional()
      .meta({ description: 'Request bytes in hex, sent as they are (instead of `send`); `until` and `expect` then read one character per byte' }),
    until: z
      .union([
        z.literal('close').meta({ description: 'The reply ends when the server closes the connection' }),
        z.string().min(1).meta({ description: 'The reply ends with this delimiter (which `expect` does not see)' }),
        z
          .strictObject({ length: z.number().int().min(1).max(1 << 20).meta({ description: 'Bytes in a reply' }) })
          .meta({ description: 'The reply is this many bytes' }),
      ])
      .default('\n')
      .meta({ description: 'Where a reply ends (default: a newline)' }),
    expect: z
      .string()
      .optional()
      .refine((source) => source === undefined || validRegExp(source.replaceAll('{id}', '0')), { message: 'expected a regular expression' })
      .meta({
        description:
          'Regular expression searched in each whole reply, without its delimiter ({id} becomes the operation id; anchor it with ^…$ to match all of it); no match is a wrong-reply',
      }),
    connection: z
      .enum(['fresh', 'keep-alive'])
      .default('fresh')
      .meta({ description: 'A connection per request, or requests one after another on `concurrency` connections' }),
    rate,
    concurrency,
    timeout: duration().default(10_000).meta({ description: 'A request with no complete reply by then is a timeout' }),
  })
  .refine((t) => (t.send === undefined) !== (t.send_hex === undefined), { message: 'expected exactly one of `send` and `send_hex`' })
  .refine((t) => !(t.until === 'close' && t.connection === 'keep-alive'), {
    message: 'a reply that ends at close cannot share its connection: use `connection: fresh`',
  });

/** A gRPC method from a .proto file: unary calls in an open loop, or server-streaming calls held open. */
const grpcCall = z.strictObject({
  proto: osText.min(1).meta({ description: 'The .proto file, relative to the scenario' }),
  include: z.array(osText.min(1)).default([]).meta({ description: 'Directories searched for its imports' }),
  method: z
    .string()
    .regex(/^[A-Za-z_][\w.]*\/[A-Za-z_]\w*$/, 'expected package.Service/Method')
    .meta({ description: 'package.Service/Method: unary, or server-streaming' }),
  request: z
    .record(z.string().meta({ title: 'field' }), z.unknown())
    .default({})
    .meta({
      description:
        'The request message, fields named as in the .proto; a string that is exactly "{id}" becomes the operation id as a number (any numeric or string field), "{id}" inside a longer string is replaced as text',
    }),
  rate,
  concurrency,
  count: z.number().int().min(1).max(64).default(1).meta({ description: 'Server-streaming: calls opened once ready' }),
  timeout: duration().default(10_000).meta({ description: 'Unary: the call deadline (a server-streaming call has none: it lasts until the server ends it or the trial does)' }),
});

const execClient = z.strictObject({
  command: argv.meta({
    description:
      "Your client, started on the host in the scenario's directory once the target is ready; {host} and {port} name where the target listens. It prints one JSON line per operation as it ends and is sent SIGTERM when the trial is over",
  }),
  env: z
    .record(z.string().meta({ title: 'NAME' }), osText)
    .default({})
    .meta({ description: 'Added to the environment it inherits; {host} and {port} are filled in values too' }),
  readback: readback
    .optional()
    .meta({ description: 'Where the writes it acknowledged (`acknowledged: true`) are read back, as `writes.readback`: their ids are the ids it printed' }),
});

const jobQueue = z.strictObject({
  redis: z.string().meta({ description: 'The dependency running Redis that holds the queue' }),
  queue: z.string().min(1).default('jobs').meta({ description: 'The list each job id is pushed onto (LPUSH)' }),
  pending: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: 'Lists where a job still counts as queued after the trial (default: the queue)' }),
  rate,
  done: readback.meta({ description: 'Where the ids of finished jobs are read back (as `writes.readback`): one line per time a job was done' }),
  exactly_once: z.boolean().default(false).meta({ description: 'A job done twice (or done and queued again) is a failure' }),
});

export const workload = z
  .strictObject({
    requests: z.array(requestStream).default([]).meta({ description: 'HTTP request streams sent during the whole trial' }),
    streams: z
      .array(
        z.strictObject({
          path: z.string().startsWith('/').meta({ description: 'The path of the long-lived response' }),
          count: z.number().int().min(1).max(64).default(1).meta({ description: 'How many to hold open' }),
        }),
      )
      .default([])
      .meta({ description: 'Long-lived responses (SSE, chunked) opened once the target is ready' }),
    writes: z
      .strictObject({
        path: z.string().startsWith('/').meta({ description: 'POST <path>?id=N; a 2xx answer acknowledges write N' }),
        rate,
        concurrency,
        readback,
      })
      .optional()
      .meta({ description: 'Writes the target acknowledges, read back after the trial: every acknowledged write must have been stored' }),
    tcp: z.array(tcpStream).default([]).meta({ description: 'TCP request streams: send, read a reply until a delimiter, a length or close' }),
    grpc: z.array(grpcCall).default([]).meta({ description: 'gRPC calls from a .proto file' }),
    exec: execClient.optional().meta({ description: 'Your own client, reporting its operations as JSON lines' }),
    jobs: jobQueue.optional().meta({ description: 'Jobs pushed onto a queue for a worker target' }),
  })
  .meta({ description: 'Client traffic during a trial; every operation goes on the ledger' });

function validRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
