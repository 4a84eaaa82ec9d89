import type { BackendChoice } from '../backends/backend.js';
import { ExitCode } from '../errors.js';
import { describeEvent } from '../schedule/event.js';
import { replay } from '../session/replay.js';
import { onInterrupt } from './interrupt.js';
import { count } from './options.js';

interface ReplayArgs {
  file: string;
  times: number;
  backend?: BackendChoice | undefined;
  parallel?: number | undefined;
}

/** Exit 1 when the schedule still fails (the bug reproduces), 0 when it never did in `times` runs. */
export async function replayCommand(args: ReplayArgs): Promise<number> {
  count('--times', args.times, 100_000);
  if (args.parallel !== undefined) count('--parallel', args.parallel, 64);
  const interrupt = onInterrupt();
  try {
    const result = await replay(args.file, {
      times: args.times,
      signal: interrupt.signal,
      ...(args.backend ? { backend: args.backend } : {}),
      ...(args.parallel ? { parallel: args.parallel } : {}),
    });
    const r = result.reproduction;
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    process.stdout.write(
      `${r.failed > 0 ? 'REPRODUCED' : 'NOT REPRODUCED'}  ${result.scenario}  (${result.backend} backend)\n` +
        result.schedule.map((e) => `  ${describeEvent(e)}\n`).join('') +
        `  ${result.signature ?? 'any failure'}: ${r.failed}/${r.runs} (${pct(r.rate)}, 95% interval ${pct(r.interval.low)}–${pct(r.interval.high)})\n`,
    );
    if (interrupt.exitCode) return interrupt.exitCode;
    return r.failed > 0 ? ExitCode.failed : ExitCode.ok;
  } finally {
    interrupt.dispose();
  }
}
