import { Client, connectivityState, credentials, type StatusObject } from '@grpc/grpc-js';
import { infrastructure } from '../errors.js';
import { grpcMethod, isGrpcProblem, type GrpcMethod, type GrpcSpec } from '../scenario/grpc-method.js';
import { fillRequest } from '../scenario/grpc-request.js';
import { openLoop, type Drive, type Driver } from './drive.js';
import { codeName, grpcOutcome } from './grpc-status.js';
import type { Endpoint } from './http-client.js';
import type { ClientConnection, LedgerEntry, Outcome } from './ledger.js';

/**
 * gRPC calls of one method over one channel (one HTTP/2 connection at a time): a unary method in an open loop, each
 * call with `timeout` as its deadline; a server-streaming one as `count` calls opened once the target is ready and
 * read to their end. Each call is a ledger entry with the status code and its name.
 */
export function driveGrpc(spec: GrpcSpec, endpoint: Endpoint, cwd: string, drive: Drive): Driver {
  const method = grpcMethod(spec, cwd);
  if (isGrpcProblem(method)) {
    // Checked when the scenario loaded: the .proto changed since.
    drive.fail(infrastructure(`gRPC workload: ${method.message}`));
    return { loop: Promise.resolve() };
  }
  const client = new Client(address(endpoint), credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1, // a connection of this channel's own, closed with it
    'grpc.enable_http_proxy': 0, // straight to the target, whatever http_proxy says
  });
  const connection = watchConnection(client, drive);
  const launch = () => drive.launch((id) => call(client, method, spec, id, connection.reused(), drive));
  if (method.streaming) {
    for (let i = 0; i < spec.count; i++) launch();
    return { loop: Promise.resolve(), close: () => client.close() };
  }
  return { loop: openLoop(spec.rate, spec.concurrency, drive.stopping, launch), close: () => client.close() };
}

/** One call, recorded exactly as it ended. Never throws. */
function call(client: Client, method: GrpcMethod, spec: GrpcSpec, id: number, reused: boolean, drive: Drive): Promise<LedgerEntry> {
  return new Promise((resolve) => {
    const sentMs = drive.now();
    let firstByteMs: number | undefined;
    let messages = 0;
    let bytes = 0;
    let settled = false;
    const finish = (outcome: Outcome, status?: StatusObject, error?: string) => {
      if (settled) return;
      settled = true;
      drive.ending.removeEventListener('abort', onEnd);
      resolve({
        id,
        kind: method.streaming ? 'stream' : 'request',
        protocol: 'grpc',
        method: method.streaming ? 'STREAM' : 'UNARY',
        path: method.path,
        connection: 'keep-alive',
        reused,
        sentMs,
        ...(firstByteMs !== undefined ? { firstByteMs } : {}),
        endMs: drive.now(),
        outcome,
        ...(status ? { status: status.code, code: codeName(status.code) } : {}),
        bytes,
        ...(error ? { error } : {}),
      });
    };
    const onEnd = () => {
      // Still open when the trial was over: indeterminate, never counted as a loss.
      finish('timeout', undefined, 'unfinished when the trial ended');
      pending.cancel();
    };
    // Counted as each reply message arrives (grpc-js deserializes it then).
    const deserialize = (buffer: Buffer) => {
      firstByteMs ??= drive.now();
      messages++;
      bytes += buffer.length;
      return method.definition.responseDeserialize(buffer);
    };
    const request = fillRequest(spec.request, id) as object;
    const serialize = method.definition.requestSerialize;
    const deadline = Date.now() + spec.timeout;
    const pending = method.streaming
      ? client.makeServerStreamRequest(method.path, serialize, deserialize, request, {})
      : client.makeUnaryRequest(method.path, serialize, deserialize, request, { deadline }, () => {});
    if (method.streaming) {
      pending.on('data', () => {}); // read every message
      pending.on('error', () => {}); // the status below says how it ended
    }
    pending.on('status', (status: StatusObject) => {
      // grpc-js ends a refusal with "Resolution note: " and nothing after it for a plain address.
      const error = status.code === 0 ? undefined : status.details.replace(/\. Resolution note: $/, '');
      finish(grpcOutcome(status.code, status.details, messages), status, error);
    });
    if (drive.ending.aborted) onEnd();
    else drive.ending.addEventListener('abort', onEnd, { once: true });
  });
}

/**
 * The channel's connection on `drive.connections`, from its connectivity state: open while READY. Approximate: a
 * connection that got a GOAWAY leaves READY while its last calls may still finish on it, and a reconnect in between
 * two state changes is seen as one connection. A call is taken as `reused` when it starts on a READY connection
 * that has carried one before.
 */
function watchConnection(client: Client, drive: Drive): { reused(): boolean } {
  const channel = client.getChannel();
  let open: ClientConnection | undefined;
  let calls = 0;
  const watch = () => {
    const state = channel.getConnectivityState(false);
    if (state === connectivityState.READY && !open) {
      open = { openMs: drive.now() };
      drive.connections.push(open);
      calls = 0;
    } else if (state !== connectivityState.READY && open) {
      open.closeMs = drive.now();
      open = undefined;
    }
    if (state !== connectivityState.SHUTDOWN) channel.watchConnectivityState(state, Infinity, watch);
  };
  watch();
  return { reused: () => open !== undefined && calls++ > 0 };
}

/** The channel's target: an IPv6 literal in brackets. */
const address = ({ host, port }: Endpoint) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
