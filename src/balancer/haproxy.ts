import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { StartedTarget } from '../backends/target.js';
import { infrastructure } from '../errors.js';
import type { HealthCheck } from '../rollout/plan.js';
import type { Target } from '../scenario/types.js';
import { now, sleep } from '../time.js';
import type { LoadBalancer, RotationChange, Route } from './balancer.js';
import { requireBalancer } from './installed.js';

// A real HAProxy (Debian's) as the rollout's load balancer, in TCP mode as kube-proxy routes: its servers are slots
// taken in and out of rotation through its runtime API (`set server … state ready | maint`), as an ingress controller
// does. A slot in maintenance gets no new connection; the ones it has stay until closed. A refused connect is not
// retried (`retries 0`, no redispatch), as kube-proxy does not. Where each connection went is read from its log, one
// line per connection as it closes.

/** Replicas a rollout may have at once: 2 × 5 plus surge stays under this. */
const SLOTS = 12;

/** One log line per connection: client port, accept time (epoch s, ms), server, termination state. */
const LOG_FORMAT = '%cp %Ts %ms %s %ts';

/** How the HAProxy process is started: as a process target of the trial (owned, killed on the way out, found by gc). */
export type StartProcess = (spec: Target) => Promise<StartedTarget>;

/** HAProxy's own health checks of each server, where the scenario asks for them: an HTTP GET of `path`, else a connect. */
export interface HaproxyChecks extends HealthCheck {
  path?: string;
}

export async function haproxyBalancer(dir: string, start: StartProcess, checks?: HaproxyChecks): Promise<LoadBalancer> {
  requireBalancer('haproxy', 'haproxy');
  const socket = join(dir, 'haproxy-admin.sock');
  const config = join(dir, 'haproxy.cfg');
  await writeFile(config, configText(socket, checks));
  const started = await start(haproxyTarget(config, dir));
  try {
    await waitAnswering(socket, started);
    return balancerOver(started, socket);
  } catch (error) {
    await started[Symbol.asyncDispose]();
    throw error;
  }
}

const configText = (socket: string, checks?: HaproxyChecks) =>
  [
    'global',
    `  stats socket ${socket} level admin`,
    '  log stdout format raw local0',
    'defaults',
    '  mode tcp',
    '  log global',
    `  log-format "${LOG_FORMAT}"`,
    '  retries 0', // as kube-proxy: a connection to a replica that no longer listens fails, it is not tried again
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    'frontend rollout',
    '  bind 127.0.0.1:"${PORT}"', // HAProxy reads the port sigstorm hands it from its environment
    '  default_backend replicas',
    'backend replicas',
    '  balance roundrobin',
    ...checkLines(checks),
    ...Array.from({ length: SLOTS }, (_, i) => `  server slot${i + 1} 127.0.0.1:1 disabled`),
    '',
  ].join('\n');

const checkLines = (checks?: HaproxyChecks): string[] =>
  checks
    ? [
        ...(checks.path ? [`  option httpchk GET ${checks.path}`] : []),
        `  timeout check ${Math.min(checks.intervalMs, 2000)}ms`,
        `  default-server check inter ${checks.intervalMs}ms fall ${checks.fall} rise ${checks.rise}`,
      ]
    : [];

const haproxyTarget = (config: string, dir: string): Target => ({
  name: 'haproxy',
  dependsOn: [],
  healthy: false,
  process: { command: ['haproxy', '-db', '-f', config], cwd: dir, env: {}, portEnv: 'PORT' },
  ready: { timeout: 10_000 },
  stopSignal: 'SIGTERM',
  stopGracePeriod: 1000,
});

/** One command on the runtime API; its answer (an error after 5 s without one: a hung HAProxy must not hang the trial). */
function command(socket: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = connect(socket);
    let answer = '';
    client.setTimeout(5000, () => client.destroy(new Error(`haproxy did not answer \`${text}\` within 5 s`)));
    client.on('connect', () => client.end(`${text}\n`));
    client.on('data', (chunk) => (answer += chunk.toString()));
    client.on('end', () => resolve(answer.trim()));
    client.on('error', reject);
  });
}

async function waitAnswering(socket: string, started: StartedTarget): Promise<void> {
  for (const deadline = now() + 10_000; now() < deadline; await sleep(20)) {
    if (started.mainExit) break;
    if (await command(socket, 'show info').then((a) => a.includes('Name: HAProxy'), () => false)) return;
  }
  const tail = started.logs.lines.slice(-5).map((l) => l.text).join('\n');
  throw infrastructure(`haproxy did not answer on its runtime API${started.mainExit ? ' (it exited)' : ' within 10 s'}${tail ? `:\n${tail}` : ''}`);
}

function balancerOver(started: StartedTarget, socket: string): LoadBalancer {
  const slots = new Map<string, string>(); // replica → its slot
  const rotation: RotationChange[] = [];
  const inRotation: string[] = [];
  const set = async (slot: string, what: string) => {
    const answer = await command(socket, `set server replicas/${slot} ${what}`);
    // Success is silent, but for a changed address, which says what changed.
    if (answer !== '' && !/changed from|no need to change/.test(answer)) throw infrastructure(`haproxy refused \`set server replicas/${slot} ${what}\`: ${answer}`);
  };
  return {
    kind: 'haproxy',
    port: started.servicePort!,
    async add(replica, port, why) {
      if (inRotation.includes(replica)) return;
      let slot = slots.get(replica);
      if (!slot) {
        slot = `slot${slots.size + 1}`;
        if (slots.size >= SLOTS) throw infrastructure(`haproxy has ${SLOTS} slots: more replicas than a rollout of 5 can need`);
        slots.set(replica, slot);
        await set(slot, `addr 127.0.0.1 port ${port}`);
      }
      await set(slot, 'state ready');
      inRotation.push(replica);
      rotation.push({ atMs: now(), replica, change: 'in', inRotation: [...inRotation], ...(why ? { why } : {}) });
    },
    async remove(replica, why) {
      const at = inRotation.indexOf(replica);
      if (at < 0) return;
      await set(slots.get(replica)!, 'state maint');
      inRotation.splice(at, 1);
      rotation.push({ atMs: now(), replica, change: 'out', inRotation: [...inRotation], ...(why ? { why } : {}) });
    },
    get rotation() {
      return withChecks(rotation, checkChanges(started, slots));
    },
    get routes() {
      return routesIn(started, slots);
    },
    async settled() {
      // Its log lines come over a pipe as connections close: read until none has come for a while.
      for (let seen = -1; seen !== started.logs.lines.length; await sleep(150)) seen = started.logs.lines.length;
      started.logs.flush();
    },
    async [Symbol.asyncDispose]() {
      await started[Symbol.asyncDispose]();
    },
  };
}

/** The connections HAProxy logged, as routes: accept times moved onto the monotonic clock. */
function routesIn(started: StartedTarget, slots: Map<string, string>): Route[] {
  const replicaOf = new Map([...slots].map(([replica, slot]) => [slot, replica]));
  const epochToMonotonic = Date.now() - now();
  return started.logs.lines.flatMap((line) => {
    const m = /^(\d+) (\d+) (\d+) (\S+) (\S\S)/.exec(line.text.trim());
    if (!m) return [];
    const [, port, seconds, ms, server, state] = m;
    const replica = replicaOf.get(server!.replace(/^replicas\//, ''));
    const acceptedMs = Number(seconds) * 1000 + Number(ms) - epochToMonotonic;
    // S?: the server side failed (refused, reset at connect); <NOSRV>: no server in rotation.
    const outcome: Route['outcome'] = !replica ? 'none' : state!.startsWith('SC') ? 'refused' : 'connected';
    return [{ clientPort: Number(port), acceptedMs, ...(replica ? { replica } : {}), outcome, ...(outcome === 'refused' ? { error: `haproxy ${state}` } : {}) }];
  });
}

/** A server's state changed by HAProxy's own health checks, as it logs it (not the runtime API's maintenance changes). */
const CHECK_LINE = /^Server replicas\/(slot\d+) is (UP|DOWN), reason: (Layer\d[^,]*)/;

/** The rotation changes HAProxy's health checks made, from its log: when each line came, which replica, why. */
function checkChanges(started: StartedTarget, slots: Map<string, string>): Omit<RotationChange, 'inRotation'>[] {
  const replicaOf = new Map([...slots].map(([replica, slot]) => [slot, replica]));
  return started.logs.lines.flatMap((line) => {
    const m = CHECK_LINE.exec(line.text.trim());
    const replica = m && replicaOf.get(m[1]!);
    if (!m || !replica) return [];
    const up = m[2] === 'UP';
    return [{ atMs: line.atMs, replica, change: up ? ('in' as const) : ('out' as const), why: `health check ${up ? 'passed' : 'failed'} (${m[3]})` }];
  });
}

/** The trial's own changes and the health checks', in time order, each with the replicas in rotation after it. */
function withChecks(own: readonly RotationChange[], checks: Omit<RotationChange, 'inRotation'>[]): RotationChange[] {
  if (checks.length === 0) return [...own];
  const inRotation: string[] = [];
  return [...own, ...checks]
    .sort((a, b) => a.atMs - b.atMs)
    .map((c) => {
      const at = inRotation.indexOf(c.replica);
      if (c.change === 'in' && at < 0) inRotation.push(c.replica);
      if (c.change === 'out' && at >= 0) inRotation.splice(at, 1);
      return { ...c, inRotation: [...inRotation] };
    });
}
