import { status as Status } from '@grpc/grpc-js';
import type { Outcome } from './ledger.js';

/**
 * Details grpc-js (1.14) writes itself when the transport failed under a call, not a status the server sent:
 * an RST_STREAM without trailers (CANCEL: "Call cancelled"; REFUSED_STREAM once its transparent retry failed too:
 * "Stream refused by server"; other codes: "Received RST_STREAM with code n"), the connection gone
 * ("Connection dropped"), a socket error (its message: "read ECONNRESET", "... ETIMEDOUT").
 */
const TRANSPORT_FAILURE = /^(Call cancelled|Connection dropped|Stream refused by server|Received RST_STREAM)|\bE(CONNRESET|TIMEDOUT|PIPE)\b/;

/**
 * How a call ended, from its final status and the reply messages that came before it. What grpc-js 1.14 reported,
 * seen by hand on loopback against a grpc-js server (targets/grpc/server.js) and a bare node:http2 one:
 *
 *   nothing listening, the listener closed by a shutdown   UNAVAILABLE "No connection established. Last error:
 *                                                          … ECONNREFUSED …" ("… Failed to connect …" through a
 *                                                          published container port): the call never went out
 *   a call that crossed a graceful shutdown's GOAWAY       RST_STREAM REFUSED_STREAM, retried once by grpc-js
 *                                                          (transparent retry), then refused as above
 *   server.forceShutdown() (unary, or a stream)            CANCELLED "Call cancelled" (RST_STREAM CANCEL)
 *   the server process SIGKILLed                           UNAVAILABLE "read ECONNRESET" (unary),
 *                                                          UNAVAILABLE "Connection dropped" (a stream)
 *   the HTTP/2 session destroyed, a stream reset           UNAVAILABLE "Connection dropped", INTERNAL "Received
 *                                                          RST_STREAM with code 2 (Internal server error)"
 *   the deadline passed (slow, or frozen)                  DEADLINE_EXCEEDED "Deadline exceeded after …"
 *   a handler's error, an unknown method, a proxy's 503    the code sent: UNKNOWN "boom" (callback(new Error)),
 *                                                          RESOURCE_EXHAUSTED, UNAVAILABLE "draining",
 *                                                          UNIMPLEMENTED, UNAVAILABLE "Received HTTP status code 503"
 *   a graceful tryShutdown()                               OK for the calls in flight and the streams it ends
 */
export function grpcOutcome(code: number, details: string, messages: number): Outcome {
  if (code === Status.OK) return 'ok';
  const cut: Outcome = messages > 0 ? 'truncated' : 'reset';
  if (code === Status.DEADLINE_EXCEEDED) return messages > 0 ? 'truncated' : 'timeout';
  if (code === Status.UNAVAILABLE && details.startsWith('No connection established')) return 'refused';
  // The workload never cancels a call but at the end of the trial (recorded before as a timeout): CANCELLED is
  // the server's doing, whether an RST_STREAM or a status it sent, and means the call was dropped.
  if (code === Status.CANCELLED) return cut;
  if ((code === Status.UNAVAILABLE || code === Status.INTERNAL) && TRANSPORT_FAILURE.test(details)) return cut;
  return 'rpc-error';
}

/** UNAVAILABLE for 14. */
export const codeName = (code: number): string => Status[code] ?? String(code);
