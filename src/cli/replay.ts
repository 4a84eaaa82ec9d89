import type { BackendChoice } from '../backends/backend.js';
import { writeFile } from 'node:fs/promises';
import { badInput, ExitCode, infrastructure } from '../errors.js';
import { describeRate } from '../report/failure-text.js';
import { displayPath } from '../report/display-path.js';
import { resultSet, type ScenarioResult } from '../report/result.js';
import { describeEvent } from '../schedule/event.js';
import { replay, type ReplayResult } from '../session/replay.js';
import { onInterrupt } from './interrupt.js';
import { count, MAX_PARALLEL } from './options.js';
import { writeOutputs } from './outputs.js';

interface ReplayArgs {
  file?: string | undefined;
  against?: string | undefined;
  scenario?: string | undefined;
  times: number;
  backend?: BackendChoice | undefined;
  parallel?: number | undefined;
  json?: boolean | undefined;
  junit?: string | undefined;
  summary?: string | undefined;
  html?: string | undefined;
  script?: string | undefined;
}

/** What `replay --against` decided, as an exit status: 0 fixed, 1 still failing, 3 not enough runs to tell. */
const FIX_EXIT = { fixed: ExitCode.ok, 'still-failing': ExitCode.failed, undecided: ExitCode.infrastructure } as const;

/**
 * Exit 1 when the schedule still fails (the bug reproduces), 0 when it never did in `times` runs. With `--against`,
 * the exit status says what the rate now decides against the recorded one (FIX_EXIT).
 */
export async function replayCommand(args: ReplayArgs): Promise<number> {
  count('--times', args.times, 100_000);
  if (args.script !== undefined) return scriptCommand(args, args.script);
  if (args.parallel !== undefined) count('--parallel', args.parallel, MAX_PARALLEL);
  if (args.file !== undefined && args.against !== undefined) throw badInput('give either a file to replay or --against <report.json>, not both');
  const file = args.against ?? args.file;
  if (file === undefined) throw badInput('name a fuzz report (or schedule file) to replay, or give --against <report.json>');
  const interrupt = onInterrupt();
  const started = Date.now();
  try {
    const result = await replay(file, {
      times: args.times,
      signal: interrupt.signal,
      against: args.against !== undefined,
      ...(args.scenario ? { scenario: args.scenario } : {}),
      ...(args.backend ? { backend: args.backend } : {}),
      ...(args.parallel ? { parallel: args.parallel } : {}),
    });
    const r = result.reproduction;
    const text =
      `${r.failed > 0 ? 'REPRODUCED' : 'NOT REPRODUCED'}  ${result.scenario}  (${result.backend} backend)\n` +
      result.schedule.map((e) => `  ${describeEvent(e)}\n`).join('') +
      `  ${result.signature ?? 'any failure'}: ${describeRate(r)}\n` +
      (result.fix ? `  recorded: ${describeRate(result.fix.before)}\n  ${result.fix.message}\n` : '');
    const set = resultSet([scenarioResult(result, file, Date.now() - started)]);
    if (!args.json) process.stdout.write(text);
    await writeOutputs(set, { junit: args.junit, summary: args.summary, html: args.html, print: args.json ? 'json' : 'none' });
    if (interrupt.exitCode) return interrupt.exitCode;
    if (result.fix) return FIX_EXIT[result.fix.decision];
    return r.failed > 0 ? ExitCode.failed : ExitCode.ok;
  } finally {
    interrupt.dispose();
  }
}

/** A replay as one scenario of a result set, for the JSON, JUnit, Markdown and HTML outputs. */
function scenarioResult(result: ReplayResult, file: string, durationMs: number): ScenarioResult {
  const r = result.reproduction;
  const verdict = result.fix
    ? ({ fixed: 'pass', 'still-failing': 'fail', undecided: 'unknown' } as const)[result.fix.decision]
    : r.failed > 0
      ? 'fail'
      : 'pass';
  // The trial to look at is a failing one; with none, the passing one stands alone.
  const trial = result.record ?? result.passing;
  return {
    scenario: { name: result.scenario, path: displayPath(result.scenarioPath) },
    command: 'replay',
    verdict,
    exitCode: result.fix ? FIX_EXIT[result.fix.decision] : r.failed > 0 ? ExitCode.failed : ExitCode.ok,
    backend: result.backend,
    ...(result.seed !== undefined ? { seed: result.seed } : {}),
    reportPath: displayPath(file),
    durationMs,
    trialsRun: r.runs,
    steps: result.schedule.map(describeEvent),
    failures: result.failures,
    reproduction: r,
    ...(result.fix ? { fix: result.fix } : {}),
    ...(trial ? { trial } : {}),
    ...(result.record && result.passing ? { passingTrial: result.passing } : {}),
  };
}


/** The flags that run trials or write their results: a script runs none. */
const RUNNING_FLAGS = ['against', 'backend', 'parallel', 'json', 'junit', 'summary', 'html'] as const;

/** The oracles a reproduction script judges by, in a simplified form. */
const SCRIPT_ORACLES = ['exit-status', 'deadline', 'alive', 'lost-requests'];

/** `replay --script out.sh`: writes the standalone reproduction script and runs nothing. */
async function scriptCommand(args: ReplayArgs, out: string): Promise<number> {
  const given = RUNNING_FLAGS.filter((flag) => args[flag] !== undefined && args[flag] !== false);
  if (given.length) throw badInput(`--script writes a script and runs nothing: leave out ${given.map((f) => `--${f}`).join(', ')}`);
  if (!out) throw badInput('--script: expected the path of the script to write, e.g. --script repro.sh');
  if (args.file === undefined) throw badInput('name a fuzz report (or schedule file) to write a reproduction script for');
  const { replayScript } = await import('../session/replay-script.js');
  const script = await replayScript(args.file, { times: args.times, ...(args.scenario ? { scenario: args.scenario } : {}) });
  try {
    await writeFile(out, script.text, { mode: 0o755 });
  } catch (error) {
    throw infrastructure(`--script: cannot write ${out} (${(error as Error).message})`);
  }
  const unjudged = script.signature?.split('/')[0];
  const note = unjudged && !SCRIPT_ORACLES.includes(unjudged) ? `\n  note: the finding is ${script.signature}, which the script does not judge (it judges ${SCRIPT_ORACLES.join(', ')})` : '';
  const left = script.plan.leftOut.length ? `\n  not sent by the script: ${script.plan.leftOut.join('; ')}` : '';
  process.stdout.write(`wrote ${out}: sh ${out} plays ${script.plan.name}'s schedule ${args.times} time${args.times === 1 ? '' : 's'} and says what went wrong${left}${note}\n`);
  return ExitCode.ok;
}
