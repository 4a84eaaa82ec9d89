import { now } from '../time.js';

export interface LogLine {
  atMs: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** When a line was written, and its text: by default, the moment it reached sigstorm. */
export type LineClock = (line: string) => { atMs: number; text: string };

const received: LineClock = (text) => ({ atMs: now(), text });

/** The target's output as timed lines, bounded so a chatty target cannot exhaust memory. */
export class LogBuffer {
  readonly lines: LogLine[] = [];
  private partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };
  private readonly listeners = new Set<(line: LogLine) => void>();
  dropped = 0;
  /** The watch thread's id of this output when that thread reads it (src/host/timing-thread.ts): signals timed from a line go from there. */
  thread?: number;

  constructor(
    private readonly limit = 2000,
    private readonly clock: LineClock = received,
  ) {}

  /** `readAtMs`: when the chunk was read, if not now (the watch thread read it). */
  write(stream: LogLine['stream'], chunk: Buffer | string, readAtMs?: number): void {
    const text = this.partial[stream] + chunk.toString();
    const parts = text.split('\n');
    this.partial[stream] = parts.pop()!;
    for (const part of parts) this.push(stream, part.replace(/\r$/, ''), readAtMs);
  }

  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.push(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  /** Calls `listener` with each line as it is read (events timed from a line wait so); returns the unsubscribe. */
  onLine(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  tail(count = 50): LogLine[] {
    return this.lines.slice(-count);
  }

  private push(stream: LogLine['stream'], raw: string, readAtMs?: number): void {
    const { atMs, text } = this.clock(raw);
    const line = { atMs: readAtMs ?? atMs, stream, text };
    this.lines.push(line);
    for (const listener of this.listeners) listener(line);
    if (this.lines.length > this.limit) {
      this.lines.shift();
      this.dropped++;
    }
  }
}
