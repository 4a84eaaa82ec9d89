// The machine's own floor for on-time signals, without sigstorm: a worker thread under SCHED_FIFO (as sigstorm's
// timing thread runs, when root) sleeps with Atomics.wait to 1 ms before each of `n` instants 50 ms apart, spins to
// the instant, and calls kill(2) (signal 0 to itself); lateness = the clock just before kill(2) − the instant, in µs,
// taken as sigstorm's timing thread takes its "sent" instant. On
// a virtual machine whose vCPUs the host preempts, no user-space sender can be more precise than this.
import { Worker } from 'node:worker_threads';

const body = () => {
  const { parentPort, workerData } = require('node:worker_threads');
  try {
    const tid = require('node:fs').readlinkSync('/proc/thread-self').split('/').pop();
    require('node:child_process').execFileSync('chrt', ['--fifo', '--pid', '1', tid], { stdio: 'ignore' });
  } catch {}
  const { performance } = require('node:perf_hooks');
  const word = new Int32Array(new SharedArrayBuffer(4));
  const late = [];
  let at = performance.now() + 50;
  for (let i = 0; i < workerData.n; i++, at += 50) {
    for (let left = at - performance.now(); left > 1; left = at - performance.now()) Atomics.wait(word, 0, 0, left - 1);
    while (performance.now() < at);
    late.push((performance.now() - at) * 1000);
    process.kill(process.pid, 0);
  }
  parentPort.postMessage(late);
};

/** `n` lateness samples (µs) of a FIFO thread signalling at instants, on this machine. */
export const floorSamples = (n) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(`(${body.toString()})()`, { eval: true, workerData: { n } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
