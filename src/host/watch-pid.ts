import { now } from '../time.js';
import { isAlive } from './procfs.js';

/** Polls /proc for the moment `pid` dies (or turns zombie): `done` resolves with that time, or undefined once stopped. */
export function watchPid(pid: number, everyMs = 5): { done: Promise<number | undefined>; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let stop = () => undefined as void;
  const done = new Promise<number | undefined>((resolve) => {
    stop = () => {
      clearInterval(timer);
      resolve(undefined);
    };
    timer = setInterval(() => {
      if (isAlive(pid)) return;
      clearInterval(timer);
      resolve(now());
    }, everyMs);
  });
  return { done, stop };
}
