import { execa } from 'execa';
import { readStat } from '../../host/procfs.js';
import { own } from '../../leftovers/tracked.js';
import type { PartitionSpec } from '../target.js';

/** Marks every rule sigstorm adds, so none can be mistaken for someone else's. */
export const RULE_COMMENT = 'sigstorm-partition';

/** The iptables rules that cut the given TCP ports of a network namespace (as argument arrays, no shell). */
export function partitionRules(ports: number[], spec: PartitionSpec): string[][] {
  const list = ports.join(',');
  const target = spec.mode === 'drop' ? ['-j', 'DROP'] : ['-j', 'REJECT', '--reject-with', 'tcp-reset'];
  const mark = ['-m', 'comment', '--comment', RULE_COMMENT];
  const rules: string[][] = [];
  if (spec.direction !== 'out') rules.push(['INPUT', '-p', 'tcp', '-m', 'multiport', '--dports', list, ...mark, ...target]);
  if (spec.direction !== 'in') rules.push(['OUTPUT', '-p', 'tcp', '-m', 'multiport', '--sports', list, ...mark, ...target]);
  return rules;
}

/** Runs iptables inside the network namespace of host process `pid` (root only). */
async function iptables(pid: number, args: string[]): Promise<void> {
  const result = await execa('nsenter', ['-t', String(pid), '-n', 'iptables', '-w', ...args], { reject: false, all: true, stdin: 'ignore' });
  if (result.exitCode !== 0) throw new Error(`iptables ${args.join(' ')} in the namespace of pid ${pid} failed: ${String(result.all).trim() || result.shortMessage}`);
}

/** Inserts the rules into the namespace of `pid` and returns the function that deletes them again. */
export async function cutNamespace(pid: number, rules: string[][]): Promise<() => Promise<void>> {
  const owned = own({ kind: 'iptables', pid, startTime: readStat(pid)?.startTime ?? 0, rules });
  const added: string[][] = [];
  try {
    for (const rule of rules) {
      await iptables(pid, ['-I', ...rule]);
      added.push(rule);
    }
  } catch (error) {
    for (const rule of added) await iptables(pid, ['-D', ...rule]).catch(() => undefined);
    owned.released();
    throw error;
  }
  return async () => {
    for (const rule of added) await iptables(pid, ['-D', ...rule]);
    owned.released();
  };
}

/** Deletes sigstorm's rules from the namespace of `pid` (what a killed run left), returning how many. */
export async function removeRules(pid: number, rules: string[][]): Promise<number> {
  let removed = 0;
  for (const rule of rules) if (await iptables(pid, ['-D', ...rule]).then(() => true, () => false)) removed++;
  return removed;
}

/** sigstorm's rules left in the namespace of `pid` (`iptables -S` lines), for checks and clean-up. */
export async function leftoverRules(pid: number): Promise<string[]> {
  const result = await execa('nsenter', ['-t', String(pid), '-n', 'iptables', '-w', '-S'], { reject: false, stdin: 'ignore' });
  return String(result.stdout ?? '').split('\n').filter((line) => line.includes(RULE_COMMENT));
}
