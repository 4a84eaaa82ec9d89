// How late a data directory's write is read: a child process writes a file every 20 ms (200 writes), stamping
// CLOCK_MONOTONIC just before each; the main thread (as sigstorm's file watch does today, src/trial/file-watch.ts) and
// a worker thread under SCHED_FIFO (as the timing thread runs, src/host/timing-worker.ts) both watch the directory
// with fs.watch. Prints each one's lag from the write to its notification (p50, p90, p99, max, ms). `busy` keeps the
// main thread busy in chunks of up to 2 ms every ms, as a trial's traffic and readers do.
// Usage: node bench/watch-lag.mjs [busy]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const dir = mkdtempSync(join(tmpdir(), 'sigstorm-watch-lag-'));
const busy = process.argv[2] === 'busy';
const seen = { main: [], worker: [] };
watch(dir, (_kind, name) => name?.startsWith('w') && seen.main.push([name, process.hrtime.bigint()]));
const worker = new Worker(
  `const { parentPort, workerData } = require('node:worker_threads');
   const fs = require('node:fs');
   try { // this thread alone under SCHED_FIFO, as the timing thread does (not root, or no chrt: default scheduling)
     const tid = fs.readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0];
     require('node:child_process').execFileSync('chrt', ['--fifo', '--pid', '1', tid], { stdio: 'ignore' });
   } catch {}
   fs.watch(workerData.dir, (_kind, name) => name && name.startsWith('w') && parentPort.postMessage([name, process.hrtime.bigint()]));
   parentPort.postMessage('ready');`,
  { eval: true, workerData: { dir } },
);
worker.on('message', (m) => m !== 'ready' && seen.worker.push(m));
await new Promise((resolve) => worker.once('message', resolve));
const load = busy && setInterval(() => { const until = performance.now() + Math.random() * 2; while (performance.now() < until); }, 1);
const writer = spawn(process.execPath, ['-e', `
  const fs = require('node:fs'); const stamps = []; let i = 0;
  const t = setInterval(() => {
    const name = 'w' + i++; const at = process.hrtime.bigint();
    fs.writeFileSync(${JSON.stringify(dir)} + '/' + name, 'x'); stamps.push(name + ' ' + at);
    if (i === 200) { clearInterval(t); process.stdout.write(stamps.join('\\n')); }
  }, 20);`]);
let text = '';
writer.stdout.on('data', (d) => (text += d));
await new Promise((resolve) => writer.on('close', resolve));
await new Promise((resolve) => setTimeout(resolve, 200));
if (load) clearInterval(load);
const written = new Map(text.split('\n').map((l) => [l.split(' ')[0], BigInt(l.split(' ')[1])]));
const lags = (list) => {
  const first = new Map();
  for (const [name, at] of list) if (!first.has(name)) first.set(name, at);
  return [...first].map(([name, at]) => Number(at - written.get(name)) / 1e6).sort((a, b) => a - b);
};
const q = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(2);
for (const [label, xs] of [['main thread', lags(seen.main)], ['SCHED_FIFO worker', lags(seen.worker)]]) {
  console.log(`${busy ? 'busy' : 'idle'} main, ${label}: n ${xs.length}, lag p50 ${q(xs, 0.5)} p90 ${q(xs, 0.9)} p99 ${q(xs, 0.99)} max ${xs.at(-1).toFixed(2)} ms`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(0);
