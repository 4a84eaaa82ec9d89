import { own } from '../../leftovers/tracked.js';
import { now } from '../../time.js';
import type { NetworkContext, StackMember, StackNetwork } from '../backend.js';
import type { PartitionSpec } from '../target.js';
import { dockerClient } from './engine.js';
import { cutNamespace, RULE_COMMENT } from './iptables.js';

/**
 * One trial's user-defined bridge network: the engine's DNS resolves every service by its name, as under compose.
 * An edge is cut with iptables in the namespaces of both containers, matching the other's address, rather than with
 * `network disconnect`: that would cut every edge of the container at once (and its DNS), not the one the schedule
 * names, and could neither hold one direction only nor choose between dropped and rejected packets.
 */
export async function stackNetwork({ runId, labels }: NetworkContext): Promise<StackNetwork> {
  const docker = (await dockerClient()).container.dockerode;
  const name = `sigstorm-${runId}`;
  const owned = own({ kind: 'network', run: runId });
  const network = await docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
  const remove = () => network.remove().then(() => undefined);
  owned.created({ id: network.id }, remove);
  return {
    name,
    async address(_consumer: string, provider: StackMember) {
      if (provider.started.servicePort === undefined) throw new Error(`${provider.name} declares no \`ports\`: no address to give`);
      return `${provider.name}:${provider.started.servicePort}`;
    },
    async cut(a: StackMember, b: StackMember, spec: PartitionSpec) {
      const [ipA, ipB] = [a, b].map((m) => m.started.networkAddress);
      if (!ipA || !ipB) throw new Error(`${ipA ? b.name : a.name} has no address on the stack network`);
      // Each side drops (or rejects) what arrives from the other, as far as the direction says: one edge, nothing else.
      const undoA = await cutNamespace(a.started.pid, edgeRules(ipB, spec.direction, spec.mode));
      let undoB: () => Promise<void>;
      try {
        undoB = await cutNamespace(b.started.pid, edgeRules(ipA, mirror(spec.direction), spec.mode));
      } catch (error) {
        await undoA();
        throw error;
      }
      const atMs = now();
      const heal = async () => {
        const healedAt = now();
        await Promise.all([undoA(), undoB()]);
        return healedAt;
      };
      return { atMs, via: 'host-pid' as const, heal };
    },
    async [Symbol.asyncDispose]() {
      // Kept in the journal when the engine cannot remove it: `sigstorm gc` will.
      if (await remove().then(() => true, (e: { statusCode?: number }) => e?.statusCode === 404)) owned.released();
    },
  };
}

/** `out` seen from one end is `in` seen from the other. */
const mirror = (direction: PartitionSpec['direction']): PartitionSpec['direction'] =>
  direction === 'out' ? 'in' : direction === 'in' ? 'out' : 'both';

/**
 * The rule, in one end's namespace, that cuts the TCP traffic arriving from `peer` (none when `direction`, seen from
 * this end, is `out`). Cut where it arrives: a reset sent from INPUT reaches the peer's socket at once, where one
 * made in the sender's own OUTPUT chain left the connecting client waiting (measured: redis-cli hung for the cut).
 */
export function edgeRules(peer: string, direction: PartitionSpec['direction'], mode: PartitionSpec['mode']): string[][] {
  if (direction === 'out') return [];
  // A rejecting cut lets the peer's resets in: they are its answer to what this end sent (a cut both ways).
  const match = mode === 'drop' ? ['-j', 'DROP'] : ['!', '--tcp-flags', 'RST', 'RST', '-j', 'REJECT', '--reject-with', 'tcp-reset'];
  return [['INPUT', '-p', 'tcp', '-s', peer, '-m', 'comment', '--comment', RULE_COMMENT, ...match]];
}
