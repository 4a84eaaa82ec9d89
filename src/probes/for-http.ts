import { infrastructure } from '../errors.js';
import { probeHttp } from './http-get.js';
import type { Probe } from './probe.js';

/** Ready once a GET on `path` answers 2xx. */
export function forHttp(path: string): Probe {
  let last = 'no probe ran yet';
  return {
    async check(target) {
      if (!target.endpoint) throw infrastructure('the HTTP readiness probe has no port to reach the target on');
      const result = await probeHttp(target.endpoint.host, target.endpoint.port, path, 500);
      last = `GET ${path} → ${result.detail}`;
      return result.ok;
    },
    waitingFor: () => `HTTP probe (last: ${last})`,
  };
}
