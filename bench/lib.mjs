// Helpers shared by the bench parts: statistics, a plain HTTP GET, docker CLI calls, and the bench's own labels.
// Nothing here uses sigstorm: the raw floors and the baseline are built on these alone.
import { execFile, execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * Every container the bench starts itself carries this label, with this process's pid, so it removes its own and
 * nothing else (not even another bench run's). `docker rm -f $(docker ps -aq --filter label=sigstorm.bench)` clears
 * what a killed bench left.
 */
export const BENCH_LABEL = `sigstorm.bench=${process.pid}`;

export const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const round = (x, digits = 0) => (x === null || x === undefined || !Number.isFinite(x) ? null : +x.toFixed(digits));
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const elapsed = (t0) => performance.now() - t0;

export const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
export const dockerAsync = (...args) =>
  new Promise((resolve, reject) =>
    execFile('docker', args, { encoding: 'utf8' }, (error, stdout, stderr) => (error ? reject(new Error(`docker ${args[0]}: ${stderr || error.message}`)) : resolve(stdout.trim()))),
  );

/** One GET on a fresh connection: {status} or {error}. Never throws. */
export const get = (port, path, timeoutMs = 2000) =>
  new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
      res.on('error', (e) => resolve({ error: e.code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
    req.end();
  });

/**
 * Polls GET `path` until it answers 2xx, as sigstorm's readiness probe does: every 5 ms at first, backing off to
 * every 25 ms (so a raw floor and a sigstorm trial see a ready target as soon as each other); throws after `timeoutMs`.
 */
export async function pollReady(port, path = '/healthz', { timeoutMs = 10_000 } = {}) {
  const t0 = performance.now();
  for (let attempt = 0; ; attempt++) {
    const r = await get(port, path, 500);
    if (r.status >= 200 && r.status < 300) return;
    if (performance.now() - t0 > timeoutMs) throw new Error(`not ready on port ${port}${path} within ${timeoutMs} ms (${r.error ?? r.status})`);
    await sleep(Math.min(25, 5 * 2 ** attempt));
  }
}

export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/**
 * Removes the containers and networks this bench started (by its label) — never anyone else's. Nothing to remove
 * without a running engine (a process-backend part needs none).
 */
export function removeBenchContainers() {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return 0;
  }
  const ids = docker('ps', '-aq', '--filter', `label=${BENCH_LABEL}`).split('\n').filter(Boolean);
  if (ids.length) docker('rm', '-f', ...ids);
  // Networks after the containers on them (the stack part makes one per by-hand round).
  const networks = docker('network', 'ls', '-q', '--filter', `label=${BENCH_LABEL}`).split('\n').filter(Boolean);
  if (networks.length) docker('network', 'rm', ...networks);
  return ids.length + networks.length;
}

/** Parses `--only a,b --quick --n 5` style flags. */
export function parseFlags(argv) {
  const flags = { only: null, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') flags.quick = true;
    else if (a.startsWith('--')) {
      const [key, inline] = a.slice(2).split('=');
      const value = inline ?? argv[++i];
      flags[key] = key === 'only' ? value.split(',') : Number.isNaN(Number(value)) ? value : Number(value);
    }
  }
  return flags;
}

/** A Markdown table from rows of plain values. */
export const table = (header, rows) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map((c) => c ?? '—').join(' | ')} |`)].join('\n');

/**
 * Open-loop HTTP traffic like a scenario's `requests` (a new request every 1/rate s while fewer than `concurrency`
 * are in flight, on a keep-alive agent), built on node:http alone; `stop()` starts nothing new and waits for what is
 * in flight (answered, or cut when the server goes).
 */
export function openLoopTraffic(port, streams) {
  let stopped = false;
  const inFlight = new Set();
  const agents = [];
  const loops = streams.map(async ({ path, method = 'GET', rate, concurrency }) => {
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    agents.push(agent);
    let mine = 0;
    while (!stopped) {
      if (mine < concurrency) {
        mine++;
        const done = new Promise((resolve) => {
          const req = request({ host: '127.0.0.1', port, path, method, agent, timeout: 10_000 }, (res) => {
            res.resume();
            res.on('end', resolve);
            res.on('error', resolve);
          });
          req.on('timeout', () => req.destroy());
          req.on('error', resolve);
          req.end();
        }).then(() => {
          mine--;
          inFlight.delete(done);
        });
        inFlight.add(done);
      }
      await sleep(1000 / rate);
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      await Promise.all([...inFlight]);
      agents.forEach((a) => a.destroy());
    },
  };
}
