import { relative } from 'node:path';
import { ExitCode } from '../errors.js';
import { initScenario, type InitOptions } from '../init/init.js';

interface InitArgs {
  command: string[];
  compose?: string | undefined;
  service?: string | undefined;
  dockerfile?: string | undefined;
  k8s?: string | undefined;
  container?: string | undefined;
  systemd?: string | undefined;
  out: string;
  force: boolean;
}

/** Writes the scenario, says what it was written from and what could not be inferred, and prints the next commands. */
export async function initCommand(args: InitArgs): Promise<number> {
  const options: InitOptions = { out: args.out, force: args.force, command: args.command.map(String) };
  for (const key of ['compose', 'service', 'dockerfile', 'k8s', 'container', 'systemd'] as const) if (args[key] !== undefined) options[key] = args[key];
  if (options.command?.length) process.stderr.write(`starting ${options.command.join(' ')} once to find its port and readiness path…\n`);
  const result = await initScenario(options);
  const file = relative(process.cwd(), result.out) || result.out;
  const lines = [
    ...(result.chose ? [`${result.chose}`] : []),
    `wrote ${file} from ${result.source} (validated; backends: ${result.backends.join(', ')})`,
    ...result.warnings.map((w) => `  warning: ${w}`),
    ...result.unknowns.map((u) => `  not inferred: ${u}`),
    'next:',
    `  npx sigstorm validate ${file}`,
    `  npx sigstorm run ${file}${result.backends.includes('process') ? ' --backend process' : ''}    # one trial: stop it under traffic, judge how it stopped`,
    `  npx sigstorm fuzz ${file}${result.backends.includes('process') ? ' --backend process' : ''}   # search fault schedules for a failure`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.ok;
}
