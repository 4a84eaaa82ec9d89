import type { NetworkContext, StackMember, StackNetwork } from '../backend.js';
import type { PartitionSpec } from '../target.js';
import { now } from '../../time.js';
import { PartitionProxy } from './proxy.js';

/**
 * A stack of local processes: each service listens on a loopback port of its own, and the services that need it
 * get that address. An edge the schedule partitions goes through a proxy of ours, cut there; the others are direct.
 */
export async function loopbackNetwork({ partitioned }: NetworkContext): Promise<StackNetwork> {
  const proxies = new Map<string, PartitionProxy>();
  const key = (consumer: string, provider: string) => `${consumer}\0${provider}`;
  const cutsEdge = (a: string, b: string) => partitioned.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  return {
    async address(consumer: string, provider: StackMember) {
      if (provider.started.servicePort === undefined) throw new Error(`${provider.name} has no port: no address to give`);
      if (!cutsEdge(consumer, provider.name)) return `127.0.0.1:${provider.started.servicePort}`;
      const proxy = new PartitionProxy(provider.started.servicePort);
      proxies.set(key(consumer, provider.name), proxy);
      return `127.0.0.1:${await proxy.listen()}`;
    },
    async cut(a: StackMember, b: StackMember, spec: PartitionSpec) {
      // The proxy's client is the consumer and its upstream the provider: its `in` is consumer → provider.
      const forward = proxies.get(key(a.name, b.name));
      const proxy = forward ?? proxies.get(key(b.name, a.name));
      if (!proxy) {
        throw new Error(
          `no proxy of sigstorm's between ${a.name} and ${b.name}: a process stack is cut at the address sigstorm hands over, ` +
            'so one must depend on the other and the provider name an `address_env`',
        );
      }
      const aIsConsumer = forward !== undefined;
      const direction = spec.direction === 'both' ? 'both' : (spec.direction === 'out') === aIsConsumer ? 'in' : 'out';
      proxy.partition({ ...spec, direction });
      const atMs = now(); // once cut; the heal is timed before the undoing: [atMs, healed] surely held
      const heal = async () => {
        const healedAt = now();
        proxy.heal();
        return healedAt;
      };
      return { atMs, via: 'host-pid' as const, heal };
    },
    async [Symbol.asyncDispose]() {
      await Promise.all([...proxies.values()].map((p) => p.close()));
    },
  };
}
