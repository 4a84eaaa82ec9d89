import { execa } from 'execa';
import { infrastructure } from '../errors.js';
import type { Target } from '../scenario/types.js';

const done = new Map<string, Promise<void>>();

/** Runs the target's `prepare` command (e.g. compiling it) once per sigstorm process. */
export function runPrepare(target: Target): Promise<void> {
  const prepare = target.prepare;
  if (!prepare) return Promise.resolve();
  const key = JSON.stringify(prepare);
  let pending = done.get(key);
  if (!pending) {
    pending = (async () => {
      const [file, ...args] = prepare.command;
      const result = await execa(file!, args, { cwd: prepare.cwd, reject: false, all: true, stdin: 'ignore' });
      if (result.exitCode !== 0 || result.failed) {
        throw infrastructure(
          `prepare step \`${prepare.command.join(' ')}\` failed (${result.shortMessage ?? `exit ${result.exitCode}`}):\n${tail(result.all)}`,
        );
      }
    })();
    done.set(key, pending);
    pending.catch(() => done.delete(key));
  }
  return pending;
}

const tail = (text: unknown) => String(text ?? '').split('\n').slice(-20).join('\n');
