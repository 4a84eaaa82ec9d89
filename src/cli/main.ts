import yargs from 'yargs';
import { VERSION } from '../version.js';
import { gcArgs, NAME_A_COMMAND, parseFailed, refuseMisread, refuseRepeatedFlags } from './argv.js';
import { reportError } from './report-error.js';

/** The output flags shared by run, fuzz and merge. */
const outputOptions = {
  json: { type: 'boolean', default: false, describe: 'Print the combined result as JSON on stdout, and nothing else there' },
  quiet: { type: 'boolean', default: false, describe: 'Print nothing but errors and the final verdict line' },
  junit: { type: 'string', describe: 'Write JUnit XML here (one testcase per scenario)' },
  summary: { type: 'string', describe: 'Write a Markdown summary here (also appended to $GITHUB_STEP_SUMMARY when set)' },
  html: { type: 'string', describe: 'Write a self-contained HTML report here' },
} as const;

/** Parses the command line and delegates; every command sets process.exitCode rather than exiting, so cleanup runs. */
export async function main(argv: string[]): Promise<void> {
  // The commands and their options, as one table: each handler imports its command's module on demand and delegates.
  const cli = yargs(argv)
    .scriptName('sigstorm')
    .version(VERSION)
    .strict()
    .middleware(refuseRepeatedFlags, true)
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .command(
      'init [command..]',
      'Write a first scenario from a compose service, a Dockerfile, a Kubernetes manifest, a systemd unit, or the command after `--`',
      (y) =>
        y
          .positional('command', { type: 'string', array: true, default: [] as string[], describe: 'After `--`: the command that starts the service (started once to find its port)' })
          .option('compose', { type: 'string', requiresArg: true, describe: 'A docker-compose file' })
          .option('service', { type: 'string', requiresArg: true, describe: 'The service of --compose (default: the first that nothing depends on, with ports)' })
          .option('dockerfile', { type: 'string', requiresArg: true, describe: 'A Dockerfile' })
          .option('k8s', { type: 'string', requiresArg: true, describe: 'A Kubernetes manifest (Deployment, StatefulSet, Pod, …)' })
          .option('container', { type: 'string', requiresArg: true, describe: 'The container of --k8s (default: the first)' })
          .option('systemd', { type: 'string', requiresArg: true, describe: 'A systemd unit file' })
          .option('out', { type: 'string', default: 'sigstorm.yml', describe: 'Where to write the scenario' })
          .option('force', { type: 'boolean', default: false, describe: 'Overwrite --out if it exists' }),
      async (args) => {
        const { initCommand } = await import('./init.js');
        // Words after `--` are the service's command line as written (yargs would turn "08" into 8).
        const command = argv.includes('--') ? argv.slice(argv.indexOf('--') + 1) : args.command.map(String);
        process.exitCode = await initCommand({ ...args, command });
      },
    )
    .command(
      'run <scenario>',
      'Run one trial: start the target, play the events, judge how it stopped',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (YAML)' })
          .option('backend', { choices: ['auto', 'docker', 'process'] as const, default: 'auto' as const, describe: 'Where the target runs' })
          .option('events', { type: 'string', describe: 'Schedule as JSON, e.g. \'[{"at":100,"signal":"SIGTERM","to":"main"}]\'' })
          .option('schedule', { type: 'string', describe: 'Schedule file (JSON or YAML list of events)' })
          .option('report-dir', { type: 'string', default: 'reports', describe: 'Where reports/<scenario>/<run-id>/ go' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON instead of the summary' })
          .option('junit', outputOptions.junit)
          .option('summary', outputOptions.summary)
          .option('html', outputOptions.html)
          .option('quiet', outputOptions.quiet)
          .conflicts('events', 'schedule'),
      async (args) => {
        const { runCommand } = await import('./run.js');
        process.exitCode = await runCommand(args);
      },
    )
    .command(
      'fuzz <scenarios..>',
      'Fuzz: generate fault schedules, shrink a failure to a minimal schedule, confirm how often it reproduces',
      (y) =>
        y
          .positional('scenarios', { type: 'string', array: true, demandOption: true, describe: 'Scenario files or directories' })
          .option('backend', { choices: ['auto', 'docker', 'process'] as const, default: 'auto' as const })
          .option('runs', { type: 'number', describe: 'Schedules to explore at most per scenario (default: no limit, exploring goes on until the budget is spent)' })
          .option('budget', { type: 'string', describe: 'Time budget per scenario, e.g. 90s, 10m (default: 1m on an interactive terminal, 5m under CI or when not a terminal)' })
          .option('seed', { type: 'number', describe: 'fast-check seed (printed in every report)' })
          .option('parallel', { type: 'number', describe: 'Trials at once: the next schedules while exploring and shrinking, and the re-runs of one (default: 2 per core, at most 8)' })
          .option('confirm', { type: 'number', default: 20, describe: 'Re-runs of the minimal schedule for its reproduction rate' })
          .option('report-dir', { type: 'string', default: 'reports', describe: 'Where reports/<scenario>/<run-id>/ and result.json go' })
          .option('fail-fast', { type: 'boolean', default: false, describe: 'Stop at the first confirmed failure; the scenarios after it are reported as skipped' })
          .option('shard', { type: 'string', describe: 'Run only shard k of n of the scenarios (e.g. 2/4); merge the shards with `sigstorm merge`' })
          .option('guided', {
            type: 'boolean',
            default: false,
            describe: 'Guided search: keep the schedules whose trials showed something new and draw one schedule in three as a mutation of one of them',
          })
          .option('amplify', {
            type: 'boolean',
            default: true,
            describe: 'When the minimal schedule reproduces under 80%, amplify it in what is left of its --budget and report the variant (--no-amplify: do not)',
          })
          .options(outputOptions),
      async (args) => {
        const { fuzzCommand } = await import('./fuzz.js');
        process.exitCode = await fuzzCommand(args);
      },
    )
    .command(
      'merge <reports..>',
      'Merge the results of shards (report directories, result.json or report.json files) into one verdict',
      (y) =>
        y
          .positional('reports', { type: 'string', array: true, demandOption: true, describe: 'Report directories or files' })
          .options(outputOptions),
      async (args) => {
        const { mergeCommand } = await import('./merge.js');
        process.exitCode = await mergeCommand(args);
      },
    )
    .command(
      'replay [file]',
      'Replay the minimal schedule of a fuzz report (or a schedule file) and print how often it fails',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'A fuzz report.json, or {"scenario": …, "events": […]}' })
          .option('against', { type: 'string', describe: 'A fuzz report.json: replay its finding and decide whether it is fixed (exit 0 fixed, 1 still failing, 3 not enough runs to tell)' })
          .option('scenario', { type: 'string', describe: 'Play the schedule against this scenario file instead of the recorded one' })
          .option('times', { type: 'number', default: 10, describe: 'Runs of the schedule (with --script: the runs the script makes unless told otherwise)' })
          .option('script', {
            type: 'string',
            requiresArg: true,
            describe: 'Run nothing: write a standalone sh script that plays the schedule with kill and curl (process form) and says what went wrong',
          })
          .option('backend', { choices: ['auto', 'docker', 'process'] as const, describe: 'Default: the one the report used' })
          .option('parallel', { type: 'number', describe: 'Trials at once (default: 2 per core, at most 8)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON on stdout, and nothing else there' })
          .option('junit', outputOptions.junit)
          .option('summary', outputOptions.summary)
          .option('html', outputOptions.html),
      async (args) => {
        const { replayCommand } = await import('./replay.js');
        process.exitCode = await replayCommand(args);
      },
    )
    .command(
      'amplify <file>',
      'Search the neighbourhood of a finding for the variant that fails with the same signature most often',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'A fuzz report.json with a failure (or an amplify.json)' })
          .option('budget', { type: 'string', default: '5m', describe: 'Time budget (e.g. 90s, 5m)' })
          .option('backend', { choices: ['auto', 'docker', 'process'] as const, describe: 'Default: the one the report used' })
          .option('parallel', { type: 'number', describe: 'Trials at once (default: 2 per core, at most 8)' })
          .option('confirm', { type: 'number', default: 20, describe: 'Runs of a candidate before it may replace the best so far' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the amplify report as JSON' }),
      async (args) => {
        const { amplifyCommand } = await import('./amplify.js');
        process.exitCode = await amplifyCommand(args);
      },
    )
    .command(
      'validate <files..>',
      'Check scenario files (or directories of them) without running anything',
      (y) => y.positional('files', { type: 'string', array: true, demandOption: true }),
      async (args) => {
        const { validateCommand } = await import('./validate.js');
        process.exitCode = await validateCommand(args.files);
      },
    )
    .command(
      'analyze <file>',
      'Judge a saved trial again, offline (a report.json or a trial record)',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true })
          .option('json', { type: 'boolean', default: false, describe: 'Print the verdict and oracle results as JSON' }),
      async (args) => {
        const { analyzeCommand } = await import('./analyze.js');
        process.exitCode = await analyzeCommand(args.file, args.json);
      },
    )
    .command(
      'gc [paths..]',
      'Remove containers left behind by sigstorm runs that are no longer alive; with --images, image builds no scenario needs',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, default: [] as string[], describe: 'With --images: scenario files or directories whose images are kept (default: scenarios/)' })
          .option('all', { type: 'boolean', default: false, describe: 'Also remove those of runs still alive' })
          .option('images', { type: 'boolean', default: false, describe: "Remove sigstorm's image builds that no scenario under the paths resolves to and no container uses" })
          .option('dry-run', { type: 'boolean', default: false, describe: 'With --images: list what would be removed and kept, remove nothing' })
          // Not an array option: that one would swallow the paths that follow it. Given twice, yargs makes a list.
          .option('repository', { type: 'string', requiresArg: true, describe: 'With --images: only builds of this repository (e.g. sigstorm/go; repeatable)' }),
      async (args) => {
        const { gcCommand } = await import('./gc.js');
        process.exitCode = await gcCommand(gcArgs(args));
      },
    )
    .command('schema', 'Print the JSON Schema of scenario files (for editors)', {}, async () => {
      const { scenarioJsonSchema } = await import('../scenario/json-schema.js');
      process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
    })
    .demandCommand(1, NAME_A_COMMAND)
    .fail(parseFailed)
    .epilogue('Exit status: 0 all expectations held · 1 an expectation failed · 2 bad input · 3 infrastructure failure');

  try {
    refuseMisread(argv);
    await cli.parseAsync();
  } catch (error) {
    process.exitCode = reportError(error);
  }
}
