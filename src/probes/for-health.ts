import type { Probe } from './probe.js';

/** Ready once the Docker engine reports the container's healthcheck healthy (compose `condition: service_healthy`). */
export function forHealth(): Probe {
  let last = 'not checked yet';
  return {
    async check(target) {
      const status = await target.health?.();
      last = status ?? 'no healthcheck status';
      return status === 'healthy';
    },
    waitingFor: () => `the healthcheck (last: ${last})`,
  };
}
