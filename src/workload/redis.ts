import { Redis, ReplyError } from 'ioredis';
import type { Endpoint } from './http-client.js';
import type { Outcome } from './ledger.js';

/** How long a command may wait for its reply, and the first connection for Redis. */
const TIMEOUT_MS = 2000;

/**
 * A connected Redis client that never holds a trial up: a command waits at most TIMEOUT_MS for its reply; while the
 * connection is down, commands fail at once (no offline queue) and it reconnects in the background until closed;
 * a command cut off by a lost connection fails rather than being sent again on the next one (an LPUSH sent twice
 * enqueues its job twice). Rejects when the first connection fails. Close it with `disconnect()`.
 */
export async function connectRedis({ host, port }: Endpoint): Promise<Redis> {
  const redis = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    commandTimeout: TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 50, 500),
  });
  let lastError: Error | undefined;
  // Without a listener ioredis prints every connection error; the operations record them instead.
  redis.on('error', (error: Error) => (lastError = error));
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new Error(`cannot connect to Redis at ${host}:${port}: ${(lastError ?? (error as Error)).message}`);
  }
}

/**
 * A failed command as a ledger outcome: an error reply is Redis's answer (wrong-reply); a command that found no
 * connection was refused; one whose connection was lost was reset; one unanswered in time timed out.
 */
export function redisOutcome(error: Error): Outcome {
  if (error instanceof ReplyError) return 'wrong-reply';
  if (error.message === 'Command timed out') return 'timeout';
  if (error.message.startsWith("Stream isn't writeable")) return 'refused';
  return 'reset';
}
