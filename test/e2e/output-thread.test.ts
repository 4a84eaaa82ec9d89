import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogBuffer } from '../../src/backends/logs.js';
import { spawnTarget } from '../../src/backends/process/spawn.js';
import { fireOnThread } from '../../src/host/timing-thread.js';
import { now } from '../../src/time.js';

// A process target's output goes to the watch thread (sockets given to it as stdout and stderr), which times each
// line as it reads it and passes it on: a real child, its real output.

const node = (script: string) => ({ command: [process.execPath, '-e', script], cwd: process.cwd(), env: {}, portEnv: 'PORT' });
const context = () => ({ dataDir: mkdtempSync(join(tmpdir(), 'sigstorm-output-')), port: 1, token: `output-thread-${process.pid}` });

describe('the target’s output, read by the watch thread', () => {
  it('keeps stdout and stderr apart, whole lines across writes (a character split between two), in order, timed when read', async () => {
    const logs = new LogBuffer();
    const before = now();
    const script = `
      const euro = Buffer.from('€');
      process.stdout.write('one\\ntw');
      setTimeout(() => {
        process.stdout.write(Buffer.concat([Buffer.from('o '), euro.subarray(0, 1)]));
        setTimeout(() => {
          process.stdout.write(Buffer.concat([euro.subarray(1), Buffer.from('\\r\\nthree')]));
          process.stderr.write('warning\\n');
        }, 20);
      }, 20);`;
    const spawned = await spawnTarget(node(script), context(), logs);
    expect(spawned.error).toBeUndefined();
    expect(logs.thread).toBeTypeOf('number'); // read by the thread, not by this event loop
    await spawned.exited;
    for (let i = 0; i < 100 && logs.lines.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    logs.flush();
    // Each stream in its order (the two are read apart: which of them came first is not kept).
    const of = (stream: string) => logs.lines.filter((l) => l.stream === stream).map((l) => l.text);
    expect(of('stdout')).toEqual(['one', 'two €', 'three']);
    expect(of('stderr')).toEqual(['warning']);
    for (const line of logs.lines) expect(line.atMs).toBeGreaterThan(before);
    // 'two €' ended 20 ms after 'one' was read: the thread's reading times are the lines' times.
    const [one, two] = logs.lines.filter((l) => l.stream === 'stdout');
    expect(two!.atMs - one!.atMs).toBeGreaterThanOrEqual(15);
    spawned.forget();
  });

  it('releases a plan armed on a line the moment the thread reads it, and counts the nth', async () => {
    const logs = new LogBuffer();
    const script = `let n = 0; const t = setInterval(() => { console.log('tick ' + ++n); if (n === 3) { clearInterval(t); setTimeout(() => {}, 300); } }, 50);`;
    const spawned = await spawnTarget(node(script), context(), logs);
    const startedMs = now();
    // No shot: what the record needs is when the line came (the thread's reading time), the same as the buffer's.
    const fired = await fireOnThread({ output: logs.thread!, log: 'tick', nth: 2 }, { fromMs: startedMs, untilMs: startedMs + 5000 }, []);
    expect(fired.missed).toBeUndefined();
    await spawned.exited;
    const second = logs.lines.filter((l) => l.text.startsWith('tick'))[1]!;
    expect(second.text).toBe('tick 2');
    expect(fired.anchorMs).toBeCloseTo(second.atMs, 3);
    const missed = await fireOnThread({ output: logs.thread!, log: 'tick', nth: 4 }, { fromMs: startedMs, untilMs: now() + 100 }, []);
    expect(missed.missed).toBe(true);
    spawned.forget();
  });

  it('lives on when a target it has forgotten still writes (a leftover holding the socket)', { timeout: 20_000 }, async () => {
    const chatty = await spawnTarget(node(`setInterval(() => console.log('still here'), 5); setTimeout(() => process.exit(0), 300);`), context(), new LogBuffer());
    await new Promise((r) => setTimeout(r, 50));
    chatty.forget();
    await chatty.exited;
    const logs = new LogBuffer();
    const next = await spawnTarget(node(`setTimeout(() => console.log('after'), 50);`), context(), logs);
    const fromMs = now();
    const fired = await fireOnThread({ output: logs.thread!, log: 'after', nth: 1 }, { fromMs, untilMs: fromMs + 5000 }, []);
    expect(fired.anchorMs).toBeGreaterThan(fromMs);
    await next.exited;
    next.forget();
  });
});
