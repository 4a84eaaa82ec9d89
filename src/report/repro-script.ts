import type { SignalName } from '../signals.js';
import { VERSION } from '../version.js';
import type { ReproAction, ReproPlan } from './repro-plan.js';
import { REPRO_SHELL } from './repro-shell.js';

// The text of a standalone reproduction script (`sigstorm replay --script`): a POSIX sh script that needs a shell,
// kill, curl, sleep and date, and the server itself. The scenario's part is written here; the rest, which does not
// depend on the scenario, is REPRO_SHELL.

/** A word for sh, single-quoted: `'it'\''s'`. */
export const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** A word of the command or an environment value, `{data_dir}` and `{port}` becoming "$DATA_DIR" and "$PORT". */
export function shellWord(text: string): string {
  if (text === '') return "''";
  return text
    .split(/(\{data_dir\}|\{port\})/)
    .filter((part) => part !== '')
    .map((part) => (part === '{data_dir}' ? '"$DATA_DIR"' : part === '{port}' ? '"$PORT"' : shellQuote(part)))
    .join('');
}

/** Text safe inside a `#` comment: one line. */
const comment = (text: string): string => text.replace(/[\r\n]+/g, ' ');

/** The script for `plan`, run `times` times unless its first argument says otherwise. */
export function reproScript(plan: ReproPlan, times: number): string {
  return [header(plan, times), settings(plan, times), functions(plan), REPRO_SHELL, 'main "$@"', ''].join('\n');
}

function header(plan: ReproPlan, times: number): string {
  const kills = plan.actions.filter((a) => a.kind === 'kill');
  const lines = [
    '#!/bin/sh',
    `# A reproduction of a sigstorm finding, written by \`sigstorm replay --script\` (sigstorm ${VERSION}), to run without sigstorm:`,
    '# it needs a POSIX sh, kill, curl, sleep and date (GNU or busybox: fractions of a second), setsid for a process group,',
    '# and the server itself.',
    `# Scenario: ${comment(plan.name)} (${comment(plan.scenarioPath)})`,
    `# Started as its process form does: ${comment(plan.start.command.join(' '))} (in ${comment(plan.start.cwd)}), with DATA_DIR a fresh`,
    `# directory and ${plan.start.portEnv} a free port of 127.0.0.1.`,
    '# The schedule, in ms after the target answered its readiness probe:',
    ...(kills.length ? kills.map((k) => `#   ${comment(k.label)}`) : ['#   (no event: the stop at its end alone)']),
    `# A schedule without a signal that stops the target ends with docker stop's: ${plan.stopSignal}, SIGKILL after the grace period.`,
    '# Expected, as the scenario says:',
    ...expectations(plan).map((e) => `#   ${e}`),
    '# Each run: start the target, wait until it is ready, send HTTP traffic, send the signals at their times, wait for the',
    '# exit (SIGKILL after the grace period), then say in plain words what went wrong: the exit status against the',
    '# expectation, requests sent before the signal that failed, and the time each took. A simplified form of sigstorm\'s',
    '# exit-status, deadline, alive and lost-requests oracles.',
    ...(plan.leftOut.length ? [`# Not sent here (the scenario's workload also has): ${plan.leftOut.join('; ')}.`] : []),
    `# Usage: sh <this file> [runs]   (default ${times}). Environment: PORT (a fixed port), GRACE_MS (the grace period),`,
    '# KEEP=1 (keep the files of passing runs too), TMPDIR. Exit status: 0 no run failed, 1 some run failed, 2 cannot',
    '# run here, 3 the target never became ready.',
  ];
  return lines.join('\n');
}

/** What `expect:` says, in words: "SIGTERM: exit 0 or 143 within 3000 ms", "SIGHUP: stays up and ready (checked 1000 ms after)". */
function expectations(plan: ReproPlan): string[] {
  return (Object.entries(plan.expect) as [SignalName, NonNullable<ReproPlan['expect'][SignalName]>][]).map(([signal, e]) =>
    e.kind === 'exit' ? `${signal}: exit ${e.exit.join(' or ')} within ${e.within} ms` : `${signal}: stays up and ready (checked ${e.settle} ms after)`,
  );
}

function settings(plan: ReproPlan, times: number): string {
  const exits = (Object.entries(plan.expect) as [SignalName, NonNullable<ReproPlan['expect'][SignalName]>][]).flatMap(([signal, e]) =>
    e.kind === 'exit' ? [`EXIT_${signal}=${shellQuote(e.exit.join(' '))}`, `WITHIN_${signal}=${e.within}`] : [],
  );
  return [
    '',
    'set -u',
    `TIMES=\${1:-${times}}`,
    'FIXED_PORT=${PORT:-}',
    'GRACE_GIVEN=${GRACE_MS:+1}',
    `GRACE_MS=\${GRACE_MS:-${plan.graceMs}}`,
    'KEEP=${KEEP:-}',
    `READY_PATH=${shellQuote(plan.ready.http ?? '')}`,
    `READY_LOG=${shellQuote(plan.ready.log ?? '')}`,
    `READY_TCP=${plan.ready.tcp ? '1' : ''}`,
    `READY_TIMEOUT_MS=${plan.ready.timeoutMs}`,
    `STOP_SIGNAL=${plan.stopSignal}`,
    `TERMINATING=' ${plan.terminating.join(' ')} '`,
    `NO_REFUSALS_FOR_MS=${plan.noRefusalsForMs}`,
    `NEEDS_GROUP=${plan.needsGroup ? 1 : 0}`,
    '# After each signal that stops the target: the exit statuses allowed, and in how many ms.',
    ...exits,
    '',
  ].join('\n');
}

/** The scenario's part: prepare, start the target, its traffic, and the schedule. */
function functions(plan: ReproPlan): string {
  const { start } = plan;
  const env = Object.entries(start.env).map(([name, value]) => `  ${name}=${shellWord(value)}; export ${name}`);
  const command = start.command.map(shellWord).join(' ');
  const loops = plan.traffic.flatMap((t) =>
    Array.from({ length: t.loops }, () => `  request_loop ${t.method} ${shellQuote(t.path)} ${t.periodMs} ${t.timeoutMs} &`),
  );
  return [
    '# The scenario\'s prepare step, once before the runs.',
    plan.prepare
      ? `prepare() (\n  cd ${shellQuote(plan.prepare.cwd)} && exec ${plan.prepare.command.map(shellQuote).join(' ')}\n)`
      : 'prepare() { :; }',
    '',
    '# The target, in the foreground of a subshell, in a session of its own when setsid is there; its pid in $RUN/pid.',
    ...(plan.lowPriority ? ['# At the lowest priority, as sigstorm runs a process under the CPU limit of the amplify variant replayed.'] : []),
    'start_target() (',
    `  cd ${shellQuote(start.cwd)} || exit 127`,
    '  export DATA_DIR',
    `  ${start.portEnv}=$PORT; export ${start.portEnv}`,
    ...env,
    `  exec $SETSID ${plan.lowPriority ? 'nice -n 19 ' : ''}sh -c 'echo $$ > "$0"; exec "$@"' "$RUN/pid" ${command}`,
    ')',
    '',
    '# The HTTP traffic, from readiness on: a loop per request the scenario keeps in flight at once.',
    loops.length ? ['start_traffic() {', ...loops, '}'].join('\n') : 'start_traffic() { :; }',
    '',
    '# The schedule: each event at its time after readiness, and the alive checks of the signals the target must survive.',
    plan.actions.length ? ['play() {', ...plan.actions.map(action), '}'].join('\n') : 'play() { :; }',
    '',
  ].join('\n');
}

function action(a: ReproAction): string {
  if (a.kind === 'check') return `  check_at ${a.event} ${a.atMs} ${shellQuote(a.label)}`;
  return `  kill_at ${a.event} ${a.atMs} ${a.to} ${a.spacingMs} ${a.count} ${a.signals.join(' ')}   # ${comment(a.label)}`;
}
