import type { FuzzProgress } from '../fuzz/campaign.js';
import { interactive } from './interactive.js';

/** How progress is shown: a live line on a terminal, plain periodic lines in CI logs, or not at all. */
export type ProgressMode = 'tty' | 'lines' | 'off';

export const progressMode = (quiet: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode =>
  quiet ? 'off' : interactive(stream) ? 'tty' : 'lines';

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * One line of progress: "[2/5] 0:14/5:00  double-close  shrinking  12 schedules · 31 trials · 1 failure · 3 shrink steps · 40/366 cells"
 * (guided: "… · 9 from a corpus of 14").
 * The cells are the fault space's (event kind × time step) pairs the schedules tried fell in (src/fuzz/fault-cells.ts).
 */
export function formatProgress(p: FuzzProgress, position?: { index: number; total: number }): string {
  const where = position && position.total > 1 ? `[${position.index + 1}/${position.total}] ` : '';
  const facts = [
    p.phase === 'exploring' && p.runs !== undefined ? `${p.schedulesTried}/${p.runs} schedules` : `${p.schedulesTried} schedules`,
    `${p.trials} trials`,
    `${p.failures} failure${p.failures === 1 ? '' : 's'}`,
    ...(p.phase !== 'exploring' ? [`${p.shrinkSteps} shrink step${p.shrinkSteps === 1 ? '' : 's'}`] : []),
    ...(p.cells ? [`${p.cells.drawn}/${p.cells.total} cells`] : []),
    ...(p.corpus ? [`${p.corpus.drawn} from a corpus of ${p.corpus.entries}`] : []),
  ];
  // Time first: a narrow terminal cuts the end of the line.
  return `${where}${clock(p.elapsedMs)}/${clock(p.budgetMs)}  ${p.scenario}  ${p.phase}  ${facts.join(' · ')}`;
}

/**
 * A tiny progress renderer on stderr. `tty`: one line redrawn in place (at most 10 times a second), cleared before
 * anything else is printed. `lines`: a plain line when a campaign starts, when its phase changes, and every
 * `everyMs` in between. `off`: nothing.
 */
export class ProgressDisplay {
  private position: { index: number; total: number } | undefined;
  private lastPhase: string | undefined;
  private lastWrite = 0;
  private shown = false;
  private last: { progress: FuzzProgress; at: number } | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly mode: ProgressMode,
    private readonly stream: NodeJS.WritableStream = process.stderr,
    private readonly everyMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  start(scenario: string, index: number, total: number): void {
    this.position = { index, total };
    this.lastPhase = undefined;
    if (this.mode === 'lines') this.stream.write(`sigstorm: ${total > 1 ? `[${index + 1}/${total}] ` : ''}fuzzing ${scenario}\n`);
  }

  update = (p: FuzzProgress): void => {
    const t = this.now();
    const phaseChanged = p.phase !== this.lastPhase;
    this.lastPhase = p.phase;
    if (this.mode === 'tty') {
      this.last = { progress: p, at: t };
      // Between reports (a trial can take seconds) the clock still moves.
      this.ticker ??= setInterval(() => this.redraw(), 1000).unref();
      if (!phaseChanged && t - this.lastWrite < 100) return;
      this.redraw();
    } else if (this.mode === 'lines') {
      if (!phaseChanged && t - this.lastWrite < this.everyMs) return;
      this.stream.write(`sigstorm: ${formatProgress(p, this.position)}\n`);
    } else return;
    this.lastWrite = t;
  };

  private redraw(): void {
    if (!this.last) return;
    const t = this.now();
    const p = { ...this.last.progress, elapsedMs: this.last.progress.elapsedMs + (t - this.last.at) };
    const width = (this.stream as NodeJS.WriteStream).columns ?? 100;
    this.stream.write(`\r\x1b[2K${formatProgress(p, this.position).slice(0, width - 1)}`);
    this.shown = true;
    this.lastWrite = t;
  }

  /** Clears the live line (before a verdict or an error is printed) and stops redrawing it until the next report. */
  clear(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.last = undefined;
    if (this.mode === 'tty' && this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
