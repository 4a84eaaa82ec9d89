import type { FuzzProgress } from '../fuzz/campaign.js';

/** How progress is shown: a live line on a terminal, plain periodic lines in CI logs, or not at all. */
export type ProgressMode = 'tty' | 'lines' | 'off';

export const progressMode = (quiet: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode =>
  quiet ? 'off' : stream.isTTY && !process.env.CI ? 'tty' : 'lines';

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** One line of progress: "[2/5] double-close  shrinking  12/50 schedules · 31 trials · 1 failure · 3 shrink steps · 0:14/5:00". */
export function formatProgress(p: FuzzProgress, position?: { index: number; total: number }): string {
  const where = position && position.total > 1 ? `[${position.index + 1}/${position.total}] ` : '';
  const facts = [
    p.phase === 'exploring' ? `${p.schedulesTried}/${p.runs} schedules` : `${p.schedulesTried} schedules`,
    `${p.trials} trials`,
    `${p.failures} failure${p.failures === 1 ? '' : 's'}`,
    ...(p.phase !== 'exploring' ? [`${p.shrinkSteps} shrink step${p.shrinkSteps === 1 ? '' : 's'}`] : []),
    `${clock(p.elapsedMs)}/${clock(p.budgetMs)}`,
  ];
  return `${where}${p.scenario}  ${p.phase}  ${facts.join(' · ')}`;
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
      if (!phaseChanged && t - this.lastWrite < 100) return;
      const width = (this.stream as NodeJS.WriteStream).columns ?? 100;
      this.stream.write(`\r\x1b[2K${formatProgress(p, this.position).slice(0, width - 1)}`);
      this.shown = true;
    } else if (this.mode === 'lines') {
      if (!phaseChanged && t - this.lastWrite < this.everyMs) return;
      this.stream.write(`sigstorm: ${formatProgress(p, this.position)}\n`);
    } else return;
    this.lastWrite = t;
  };

  /** Clears the live line (before a verdict or an error is printed). */
  clear(): void {
    if (this.mode === 'tty' && this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
