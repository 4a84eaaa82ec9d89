// The zoo campaigns' shared command line: two numbers, then `--both` (every backend a row lists; default: the
// quicker one where the class applies, docker where only a container shows it) and `--only regex` (a subset).
import { readFileSync } from 'node:fs';

/** The numbers given (or the defaults), and each zoo row to run with its backend, in catalogue order. */
export function zooArgs(argv, defaults) {
  const flag = (name) => argv.indexOf(name);
  const positional = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--only');
  const numbers = defaults.map((d, i) => Number(positional[i] ?? d));
  const both = flag('--both') >= 0;
  const only = flag('--only') >= 0 ? new RegExp(argv[flag('--only') + 1]) : undefined;
  const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8'));
  const backendsOf = (target) => (both ? Object.keys(target.expect) : [target.expect.process ? 'process' : 'docker']);
  const runs = targets.filter((t) => !only || only.test(t.scenario)).flatMap((t) => backendsOf(t).map((backend) => [t, backend]));
  return { numbers, runs };
}
