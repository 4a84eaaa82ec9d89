import { execa, type ResultPromise } from 'execa';
import { resolve } from 'node:path';

const BIN = resolve('bin/sigstorm.js');

/** Runs the built sigstorm CLI as a user would (never rejects: the exit code is the result). */
export const sigstorm = (args: string[], options: { env?: Record<string, string> } = {}): ResultPromise<{ reject: false; all: true }> =>
  execa('node', [BIN, ...args], {
    reject: false,
    all: true,
    env: { ...options.env, CI: 'true' },
    stdin: 'ignore',
    // A test that signals sigstorm wants to see how long it really takes to stop, not execa's SIGKILL after 5 s.
    forceKillAfterDelay: false,
  }) as never;
