import type { ReadyProbeSpec } from './types.js';

// A readiness probe of a container reaches it on a container port: the HTTP probe on `ready.port` or the first of
// `ports`, the TCP probe on its own number, `ready.port` or the first of `ports`. A process is always probed on the
// port it is handed.

/** What a container's readiness probe lacks to reach it, keyed by the probe it concerns; empty when nothing. */
export function readyPortProblems(
  ready: Pick<ReadyProbeSpec, 'http' | 'port' | 'tcp'> | undefined,
  ports: readonly unknown[],
): { key: 'http' | 'tcp'; message: string }[] {
  if (!ready || ready.port !== undefined || ports.length > 0) return [];
  return [
    ...(ready.http !== undefined ? [{ key: 'http' as const, message: 'an HTTP probe of a container needs `ready.port` or `ports`' }] : []),
    ...(ready.tcp === true ? [{ key: 'tcp' as const, message: 'a TCP probe of a container needs a port: `tcp: <container port>`, `ready.port` or `ports`' }] : []),
  ];
}
