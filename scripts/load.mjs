// Competing load for `npm run soak`: busy loops (one child process each, spinning on a core) and an optional I/O hog
// (writes and fsyncs a scratch file). Every child watches its parent and exits when it is gone, so a soak killed
// with SIGKILL leaves nothing spinning; `stop()` and the exit/interrupt handlers below end them sooner.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Checks every 100 ms, between slices of pure spinning, that the parent is still its parent: once it has died the
// child is reparented (at once, even while the dead parent waits as a zombie to be reaped).
const watchParent = `const parent = ${process.pid}; const fs = require('node:fs');
  const alive = () => { try { return Number(fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[1]) === parent; } catch { return false; } };`;
const BUSY = `${watchParent} for (;;) { const end = Date.now() + 100; while (Date.now() < end); if (!alive()) process.exit(0); }`;
// 4 MiB written and fsynced, again and again, over the same 256 MiB of one file (written at its offset: the disk
// never fills, and the file never grows past it). Removed by the hog itself when its parent is gone.
const IO = (file) =>
  `${watchParent} const chunk = Buffer.alloc(4 << 20, 7); const file = ${JSON.stringify(file)}; const fd = fs.openSync(file, 'w'); let n = 0;
   for (;;) { fs.writeSync(fd, chunk, 0, chunk.length, (n++ % 64) * chunk.length); fs.fsyncSync(fd);
     if (!alive()) { fs.closeSync(fd); fs.rmSync(require('node:path').dirname(file), { recursive: true, force: true }); process.exit(0); } }`;

const running = new Set();
let scratch;

function startChild(code, name) {
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  child.loadName = name;
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

/** Starts `busy` busy loops and, with `io`, an I/O hog. Returns what is running, to `stop()` between campaigns. */
export function startLoad({ busy, io }) {
  const children = Array.from({ length: busy }, (_, i) => startChild(BUSY, `busy ${i + 1}`));
  if (io) {
    scratch ??= mkdtempSync(join(tmpdir(), 'sigstorm-soak-io-'));
    children.push(startChild(IO(join(scratch, 'hog')), 'io'));
  }
  return { children, stop: () => stopChildren(children) };
}

/** Kills the children and waits until each has exited. */
async function stopChildren(children) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Kills whatever load is still running, synchronously (for `exit`), and removes the I/O hog's scratch directory. */
export function killAllLoad() {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}

process.on('exit', killAllLoad);
