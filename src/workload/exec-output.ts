import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { infrastructure } from '../errors.js';
import type { Drive } from './drive.js';
import { badLine, parseExecLine } from './exec-line.js';

/** The last lines of the client's stderr kept for the messages about it. */
const STDERR_LINES = 20;

/** Keeps the last lines of the client's stderr; the returned function words them for a message. */
export function stderrTail(stderr: Readable): () => string {
  const lines: string[] = [];
  createInterface({ input: stderr, crlfDelay: Infinity }).on('line', (text) => {
    lines.push(text);
    if (lines.length > STDERR_LINES) lines.shift();
  });
  return () => (lines.length ? `; its stderr ended with:\n${lines.map((l) => `  ${l}`).join('\n')}` : ' (nothing on its stderr)');
}

/** What the trial's clock needs to read the client's lines: its stamps mapped onto the trial clock, and when it started. */
export interface ExecClock {
  trialMs: (epochMs: number) => number;
  startedMs: number;
}

/**
 * The client's stdout, one operation per line onto the ledger (exec-line.ts). A line it prints wrong makes the trial
 * an infrastructure failure, and `broke` is called: the lines after it are not read.
 */
export class OperationLines {
  operations = 0;
  broken = false;
  /** Settles once stdout has closed and every line is read. */
  readonly drained: Promise<true>;
  private lineNumber = 0;

  constructor(stdout: Readable, clock: ExecClock, drive: Drive, shown: string, broke: () => void) {
    const lines = createInterface({ input: stdout, crlfDelay: Infinity });
    lines.on('line', (text) => this.read(text, clock, drive, shown, broke));
    this.drained = new Promise<true>((resolve) => lines.once('close', () => resolve(true)));
  }

  private read(text: string, { trialMs, startedMs }: ExecClock, drive: Drive, shown: string, broke: () => void): void {
    this.lineNumber++;
    if (this.broken) return;
    const parsed = parseExecLine(text, { trialMs, readMs: drive.now(), startedMs });
    if (!parsed) return;
    if ('problem' in parsed) {
      this.broken = true;
      drive.fail(infrastructure(`exec client ${shown}: ${badLine(this.lineNumber, text, parsed.problem)}`));
      broke();
      return;
    }
    this.operations++;
    const id = drive.id();
    if (id !== undefined) drive.ledger.push({ id, ...parsed.entry });
  }
}
