import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { watchExit } from '../../src/backends/docker/container-exit.js';
import type { DockerContainer } from '../../src/backends/docker/engine.js';
import { sleep } from '../../src/time.js';

// An alive check after a signal the target must survive asked `mainExit`, which the engine sets when it reports the
// exit: on a loaded machine that came after the check, and a Go service that SIGHUP had ended was judged alive. The
// host pid, when watched, tells at once. Here a real process plays the container's main process and the engine's
// report never comes.
describe('the exit of a container, seen from the host', () => {
  it('is known from the host pid before the engine reports it', async () => {
    const main = spawn('sleep', ['0.1'], { stdio: 'ignore' });
    const unreported = { wait: () => new Promise(() => undefined) } as unknown as DockerContainer;
    const watch = watchExit(unreported, 'f00dcafe0000', main.pid!, true);
    try {
      expect(watch.gone()).toBe(false);
      for (let i = 0; i < 200 && !watch.gone(); i++) await sleep(10);
      expect(watch.gone()).toBe(true);
      expect(watch.mainExit()).toBeUndefined();
    } finally {
      watch.stop();
    }
  });

  it('without the host pid, only the engine tells', async () => {
    const main = spawn('sleep', ['0.05'], { stdio: 'ignore' });
    const unreported = { wait: () => new Promise(() => undefined) } as unknown as DockerContainer;
    const watch = watchExit(unreported, 'f00dcafe0001', main.pid!, false);
    await new Promise((resolve) => main.once('exit', resolve));
    await sleep(50);
    expect(watch.gone()).toBe(false);
    watch.stop();
  });
});
