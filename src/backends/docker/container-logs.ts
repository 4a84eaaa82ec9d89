import { PassThrough } from 'node:stream';
import { now } from '../../time.js';
import type { LineClock, LogBuffer } from '../logs.js';
import type { DockerContainer } from './engine.js';

// A container's output as the engine dated it. Docker hands a follower the lines it has logged, after its log driver
// stored them: a line the target wrote before it answered its readiness probe can arrive milliseconds after, when a
// signal has already been sent, and a diagnosis that reads "printed nothing after the signal" would be misled.

const STAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z (.*)$/s;

/**
 * Docker's timestamp of a line ("2026-12-06T09:46:26.123456789Z text", `timestamps: true`): when the engine read it
 * from the container, on sigstorm's monotonic clock (the engine's clock is the host's), never later than now.
 */
export const engineStamped: LineClock = (line) => {
  const m = STAMPED.exec(line);
  if (!m) return { atMs: now(), text: line };
  const wallMs = Date.parse(`${m[1]}Z`) + (m[2] ? Number(`0${m[2]}`) * 1000 : 0);
  const atMs = now();
  return { atMs: Math.min(atMs, atMs - (Date.now() - wallMs)), text: m[3]! };
};

/** Follows the container's output from its start into `logs` (a buffer dated by `engineStamped`), both streams as one, as before. */
export async function followLogs(container: DockerContainer, logs: LogBuffer): Promise<void> {
  const stream = (await container.logs({ follow: true, stdout: true, stderr: true, timestamps: true, since: 0 })) as NodeJS.ReadableStream & {
    socket?: { unref(): void };
  };
  // The follower must not keep sigstorm alive: it ends when the container is removed.
  stream.socket?.unref();
  const out = new PassThrough().setEncoding('utf8');
  const err = new PassThrough().setEncoding('utf8');
  out.on('data', (chunk: string) => logs.write('stdout', chunk));
  err.on('data', (chunk: string) => logs.write('stdout', chunk));
  container.modem.demuxStream(stream, out, err);
  stream.on('end', () => {
    out.end();
    err.end();
  });
}
