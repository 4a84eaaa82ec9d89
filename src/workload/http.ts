import { Agent } from 'node:http';
import type { Workload } from '../scenario/types.js';
import { openLoop, type Drive, type Driver } from './drive.js';
import { send, type Endpoint } from './http-client.js';

/**
 * HTTP traffic: open-loop request streams (a new request every 1/rate s while fewer than `concurrency` are in
 * flight), long-lived streams opened once, and acknowledged writes.
 */
export function driveHttp(workload: Workload, endpoint: Endpoint, drive: Drive): Driver {
  const agents: Agent[] = [];
  let nextWrite = 0;
  const launch = (spec: Omit<Parameters<typeof send>[1], 'id' | 'originMs' | 'signal'>) =>
    drive.launch((id) => send(endpoint, { ...spec, id, originMs: drive.originMs, signal: drive.ending, connections: drive.connections, phases: drive.phases }));

  const loops: Promise<void>[] = [];
  for (const stream of workload.requests) {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: stream.concurrency });
    agents.push(keepAlive);
    loops.push(
      openLoop(stream.rate, stream.concurrency, drive.stopping, (n) =>
        launch({
          kind: 'request',
          method: stream.method,
          path: stream.path,
          timeoutMs: stream.timeout,
          agent: stream.connection === 'fresh' || (stream.connection === 'mixed' && n % 2 === 1) ? false : keepAlive,
        }),
      ),
    );
  }
  for (const stream of workload.streams) {
    for (let i = 0; i < stream.count; i++) launch({ kind: 'stream', method: 'GET', path: stream.path, timeoutMs: 60_000, agent: false });
  }
  const writes = workload.writes;
  if (writes) {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: writes.concurrency });
    agents.push(keepAlive);
    loops.push(
      openLoop(writes.rate, writes.concurrency, drive.stopping, () => {
        const writeId = nextWrite++;
        return launch({ kind: 'write', method: 'POST', path: `${writes.path}?id=${writeId}`, timeoutMs: 10_000, agent: keepAlive, writeId });
      }),
    );
  }
  return {
    loop: Promise.all(loops).then(() => undefined),
    close: () => agents.forEach((agent) => agent.destroy()),
  };
}

export const hasHttp = (workload: Workload): boolean =>
  workload.requests.length > 0 || workload.streams.length > 0 || workload.writes !== undefined;
