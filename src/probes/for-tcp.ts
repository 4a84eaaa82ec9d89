import { infrastructure } from '../errors.js';
import type { Probe } from './probe.js';
import { probeTcp } from './tcp-connect.js';

/**
 * Ready once a TCP connection to where the service itself listens is accepted (Kubernetes' tcpSocket probe). Not
 * through the published port: Docker's userland proxy, like the partition proxy, accepts before the service listens.
 */
export function forTcp(): Probe {
  let last = 'no probe ran yet';
  return {
    async check(target) {
      if (!target.listening) throw infrastructure('the TCP readiness probe has no address of the target to connect to');
      const { host, port } = target.listening;
      const result = await probeTcp(host, port, 500);
      last = `connect ${host}:${port} → ${result.detail}`;
      return result.ok;
    },
    waitingFor: () => `TCP probe (last: ${last})`,
  };
}
