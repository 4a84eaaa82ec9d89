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

  constructor(
    private readonly limit = 2000,
    private readonly clock: LineClock = received,
  ) {}

  write(stream: LogLine['stream'], chunk: Buffer | string): void {
    const text = this.partial[stream] + chunk.toString();
    const parts = text.split('\n');
    this.partial[stream] = parts.pop()!;
    for (const part of parts) this.push(stream, part.replace(/\r$/, ''));
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

  private push(stream: LogLine['stream'], raw: string): void {
    const { atMs, text } = this.clock(raw);
    const line = { atMs, stream, text };
    this.lines.push(line);
    for (const listener of this.listeners) listener(line);
    if (this.lines.length > this.limit) {
      this.lines.shift();
      this.dropped++;
    }
  }
}
