import { setMaxListeners } from 'node:events';
import { constants } from 'node:os';
import { releaseAll } from '../leftovers/tracked.js';
import { MAX_PARALLEL } from './options.js';
import { journal } from '../leftovers/journal.js';

/** How long the first signal may take to end the work and write the report before sigstorm forces its way out. */
const FORCE_AFTER_MS = Number(process.env.SIGSTORM_INTERRUPT_GRACE_MS ?? 30_000);

/**
 * The first SIGINT/SIGTERM/SIGHUP, or output nobody reads any more (as SIGPIPE), ends the work early: the target is
 * removed and the report still written. A second signal, or the first one taking longer than FORCE_AFTER_MS, removes
 * what is left at once and exits. The exit status is 128 + the number of the first signal (130, 143, 129, 141),
 * whichever signal forced the exit.
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** The signal that interrupted sigstorm, if one did. */
  readonly by: NodeJS.Signals | undefined;
  /** 128 + n of that signal. */
  readonly exitCode: number | undefined;
  dispose(): void;
}

export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  // Each trial in flight listens to it once (src/trial/trial.ts), and `replay` and `amplify` run up to --parallel
  // (MAX_PARALLEL at most) at once: by design, not a leak, so Node must not warn past its default of 10.
  setMaxListeners(2 * MAX_PARALLEL + 8, controller.signal);
  const state = { by: undefined as NodeJS.Signals | undefined };
  const exitCode = () => (state.by ? 128 + constants.signals[state.by] : undefined);
  const force = (why: string) => {
    say(`sigstorm: ${why}: removing what is left and exiting now\n`);
    void releaseAll().finally(() => process.exit(exitCode()));
  };
  let timer: NodeJS.Timeout | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (state.by) return force(`${signal} again`);
    state.by = signal;
    journal.phase('interrupted', signal);
    say(`sigstorm: ${signal}: ending the trial, cleaning up and writing the report (again to force)\n`);
    timer = setTimeout(() => force(`still not done ${FORCE_AFTER_MS / 1000}s after ${signal}`), FORCE_AFTER_MS);
    timer.unref();
    controller.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, handler);
  // Output nobody reads any more (a pipe's reader gone: `| head`, a parent killed) is a SIGPIPE: the work ends as at
  // an interrupt, the report still written, exit 141. Unheeded, the next progress line crashed sigstorm mid-trial and
  // left its trials' data directories to `sigstorm gc`. Once interrupted (a closed terminal's SIGHUP turns every later
  // write into EIO), and after dispose, it only swallows: nothing sigstorm prints may crash it then.
  let active = true;
  const outputGone = (error: NodeJS.ErrnoException) => {
    if (active && !state.by && (error.code === 'EPIPE' || error.code === 'EIO')) handler('SIGPIPE');
  };
  for (const stream of [process.stdout, process.stderr]) stream.on('error', outputGone);
  return {
    signal: controller.signal,
    get by() {
      return state.by;
    },
    get exitCode() {
      return exitCode();
    },
    dispose: () => {
      active = false;
      clearTimeout(timer);
      // Once interrupted, stay so: a second signal arriving while sigstorm finishes must force the same status,
      // not meet the default action (which would exit 143 after a SIGINT, say).
      if (!state.by) signals.forEach((s) => process.off(s, handler));
    },
  };
}

const say = (text: string) => {
  try {
    process.stderr.write(text);
  } catch {
    // no terminal left
  }
};
