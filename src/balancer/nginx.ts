import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { StartedTarget } from '../backends/target.js';
import { infrastructure } from '../errors.js';
import type { Target } from '../scenario/types.js';
import { now, sleep } from '../time.js';
import type { LoadBalancer, RotationChange, Route } from './balancer.js';
import type { StartProcess } from './haproxy.js';
import { requireBalancer } from './installed.js';

// Debian's nginx as the rollout's load balancer, as users run it in front of their replicas: an HTTP reverse proxy
// (`proxy_pass` to an `upstream` of the replicas in rotation, round-robin), its upstreams changed by rewriting its
// configuration and reloading it with SIGHUP (`nginx -s reload`). A reload starts new workers with the new upstreams;
// the old ones stop accepting, finish the requests they have, close their idle keep-alive connections and exit. Its
// passive health checks are as they come: a server whose connect fails is tried no more for fail_timeout (10 s) after
// max_fails (1) failure, and the request goes to the next server (proxy_next_upstream error timeout, for methods that
// may be repeated). nginx picks an upstream per request, so each request is a route of its own, read from its access
// log (a file of the trial's: one line per request as it ends: client port, end time, duration, upstreams tried,
// their statuses).

const LOG_FORMAT = '$remote_port $msec $request_time $upstream_addr "$upstream_status" $status';

/** The configuration for `port`, sending to the replicas' ports in rotation (none: a placeholder that is down, 502). */
export function nginxConfig(dir: string, port: number | string, upstreams: readonly number[]): string {
  const servers = upstreams.length > 0 ? upstreams.map((p) => `      server 127.0.0.1:${p};`) : ['      server 127.0.0.1:1 down;'];
  return [
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    'error_log stderr notice;', // its reloads, with the workers they start (the moment a change takes effect)
    'events { worker_connections 1024; }',
    'http {',
    `  log_format sigstorm '${LOG_FORMAT}';`,
    `  access_log ${join(dir, 'access.log')} sigstorm;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, `${t}-temp`)};`),
    '  upstream replicas {',
    ...servers,
    '  }',
    '  server {',
    `    listen 127.0.0.1:${port};`,
    '    location / { proxy_pass http://replicas; }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** nginx in the foreground, its port the one sigstorm hands it (`$PORT`, put into the first configuration). */
const nginxTarget = (dir: string): Target => ({
  name: 'nginx',
  dependsOn: [],
  healthy: false,
  process: {
    command: ['sh', '-c', `sed "s/@PORT@/$PORT/" nginx.conf.in > nginx.conf && exec nginx -e stderr -p "$PWD" -c "$PWD/nginx.conf" -g 'daemon off;'`],
    cwd: dir,
    env: {},
    portEnv: 'PORT',
  },
  ready: { timeout: 10_000 },
  stopSignal: 'SIGTERM',
  stopGracePeriod: 1000,
});

const WORKER_STARTED = /start worker process \d+/;

export async function nginxBalancer(dir: string, start: StartProcess): Promise<LoadBalancer> {
  requireBalancer('nginx', 'nginx-light');
  const home = join(dir, 'nginx');
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'nginx.conf.in'), nginxConfig(home, '@PORT@', []));
  const started = await start(nginxTarget(home));
  try {
    await workersStarted(started, 0);
    await answering(started);
    return balancerOver(started, home);
  } catch (error) {
    await started[Symbol.asyncDispose]();
    throw error;
  }
}

/** Waits until more than `seen` workers have been started (its log says so); the time the last one was. */
async function workersStarted(started: StartedTarget, seen: number): Promise<number> {
  for (const deadline = now() + 10_000; now() < deadline && !started.mainExit; await sleep(10)) {
    const lines = started.logs.lines.filter((l) => WORKER_STARTED.test(l.text));
    if (lines.length > seen) return lines.at(-1)!.atMs;
  }
  const tail = started.logs.lines.slice(-5).map((l) => l.text).join('\n');
  throw infrastructure(`nginx started no worker${started.mainExit ? ' (it exited)' : ' within 10 s'}${tail ? `:\n${tail}` : ''}`);
}

async function answering(started: StartedTarget): Promise<void> {
  for (const deadline = now() + 5000; now() < deadline; await sleep(20)) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(started.servicePort!, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
  }
  throw infrastructure(`nginx did not accept on port ${started.servicePort} within 5 s`);
}

function balancerOver(started: StartedTarget, home: string): LoadBalancer {
  const inRotation = new Map<string, number>(); // replica → its port, in the order they joined
  const ports = new Map<number, string>(); // every replica's port → its name
  const rotation: RotationChange[] = [];
  let changes = Promise.resolve();
  // One reload at a time: the configuration rewritten, SIGHUP, the change timed when its new worker started.
  const reload = (replica: string, change: RotationChange['change'], why?: string) => {
    const next = changes.then(async () => {
      const seen = started.logs.lines.filter((l) => WORKER_STARTED.test(l.text)).length;
      await writeFile(join(home, 'nginx.conf'), nginxConfig(home, started.servicePort!, [...inRotation.values()]));
      await started.signal(['SIGHUP'], 'main');
      const atMs = await workersStarted(started, seen);
      rotation.push({ atMs, replica, change, inRotation: [...inRotation.keys()], ...(why ? { why } : {}) });
    });
    changes = next.catch(() => undefined);
    return next;
  };
  return {
    kind: 'nginx',
    port: started.servicePort!,
    add(replica, port, why) {
      if (inRotation.has(replica)) return;
      inRotation.set(replica, port);
      ports.set(port, replica);
      return reload(replica, 'in', why);
    },
    remove(replica, why) {
      if (!inRotation.delete(replica)) return;
      return reload(replica, 'out', why);
    },
    rotation,
    get routes() {
      return routesIn(accessLog(home), ports);
    },
    async settled() {
      await changes;
      // nginx writes each request's line as it ends: read until none has come for a while.
      for (let seen = -1; seen !== accessLog(home).length; await sleep(150)) seen = accessLog(home).length;
    },
    async [Symbol.asyncDispose]() {
      await started[Symbol.asyncDispose]();
    },
  };
}

/** The access log's lines so far. */
const accessLog = (home: string): string[] => {
  const text = existsSync(join(home, 'access.log')) ? readFileSync(join(home, 'access.log'), 'utf8') : '';
  return text.split('\n').filter((l) => l !== '');
};

/** The requests nginx logged, as routes (one per request): their start moved onto the monotonic clock. */
export function routesIn(lines: readonly string[], ports: ReadonlyMap<number, string>): Route[] {
  const epochToMonotonic = Date.now() - now();
  return lines.flatMap((line): Route[] => {
    const m = /^(\d+) (\d+\.\d+) (\d+\.\d+) (.+) "(.*)" (\d{3})$/.exec(line.trim());
    if (!m) return [];
    const [, port, endS, tookS, addrs, statuses] = m;
    // Upstreams tried in turn ("a:1, b:2"); the last one answered, or none could.
    const tried = addrs!.split(/, | : /).map((a) => ports.get(Number(a.split(':').at(-1))));
    const replica = tried.at(-1);
    const last = statuses!.split(/, | : /).at(-1);
    const outcome: Route['outcome'] = !replica ? 'none' : last === '502' ? 'refused' : 'connected';
    const acceptedMs = (Number(endS) - Number(tookS)) * 1000 - epochToMonotonic;
    const retried = tried.length > 1 ? { error: `nginx tried ${tried.map((r) => r ?? 'none').join(', ')}` } : {};
    return [{ clientPort: Number(port), acceptedMs, ...(replica ? { replica } : {}), outcome, perRequest: true, ...retried, ...(outcome === 'refused' ? { error: `nginx ${statuses}` } : {}) }];
  });
}
