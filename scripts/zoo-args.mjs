// The zoo campaigns' shared command line: two numbers, then `--both` (every backend a row lists; default: the
// quicker one where the class applies, docker where only a container shows it) and `--only regex` (a subset).
// `--backend name` keeps the rows that list that backend, on it.
// `valueFlags` names a caller's own flags that take a value (`--busy 2`), so their values are not read as numbers.
import { readFileSync } from 'node:fs';

/** The numbers given (or the defaults), and each zoo row to run with its backend, in catalogue order. */
export function zooArgs(argv, defaults, { valueFlags = [], defaultOnly } = {}) {
  const flag = (name) => argv.indexOf(name);
  const takesValue = ['--only', '--backend', ...valueFlags];
  const positional = argv.filter((a, i) => !a.startsWith('--') && !takesValue.includes(argv[i - 1]));
  const numbers = defaults.map((d, i) => Number(positional[i] ?? d));
  const both = flag('--both') >= 0;
  const pattern = flag('--only') >= 0 ? argv[flag('--only') + 1] : flag('--all') >= 0 ? undefined : defaultOnly;
  const only = pattern === undefined ? undefined : new RegExp(pattern);
  const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8'));
  const chosen = flag('--backend') >= 0 ? argv[flag('--backend') + 1] : undefined;
  const backendsOf = (target) =>
    chosen ? (target.expect[chosen] ? [chosen] : []) : both ? Object.keys(target.expect) : [target.expect.process ? 'process' : 'docker'];
  const runs = targets.filter((t) => !only || only.test(t.scenario)).flatMap((t) => backendsOf(t).map((backend) => [t, backend]));
  return { numbers, runs, only: pattern ?? null };
}
