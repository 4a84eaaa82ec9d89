import { performance } from 'node:perf_hooks';
import { badInput, infrastructure } from '../errors.js';
import { own } from '../leftovers/tracked.js';
import type { Workload } from '../scenario/types.js';
import { MAX_DURATION_MS, within } from '../time.js';
import type { Drive, Driver } from './drive.js';
import { ExecClient, type ClientExit } from './exec-client.js';
import { OperationLines, stderrTail } from './exec-output.js';
import type { Endpoint } from './http-client.js';

/** Once the client is SIGKILLed, how long the lines already in the pipe may take to be read. */
const DRAIN_MS = 1000;

type ExecSpec = NonNullable<Workload['exec']>;

/**
 * The user's own client, in any language: started on the host at readiness in its own session and process group,
 * it prints one JSON line per operation when the operation ends (exec-line.ts), each going on the ledger. When the
 * trial stops starting traffic its group gets SIGTERM (a client run through a shell or `npm run` has children: the
 * group reaches them all); when the trial ends, SIGKILL for the group and for whatever else carries its owner token.
 * The client is journalled like a process target, so an interrupt, the exit hook, or `sigstorm gc` after a SIGKILL of
 * sigstorm removes it too. Lines it prints wrong, or an exit of its own accord that is not a finish, make the trial an
 * infrastructure failure: it cannot be judged without its client.
 */
export function driveExec(spec: ExecSpec, endpoint: Endpoint | undefined, cwd: string, drive: Drive, runId: string): Driver {
  const shown = `\`${spec.command.join(' ')}\``;
  const filled = fillEndpoint(spec, endpoint);
  if (!filled) {
    drive.fail(badInput('workload.exec: the command names {host} or {port}, but the target publishes no port on this backend: give it `ports:`'));
    return { loop: Promise.resolve() };
  }
  const trialMs = trialClock(drive);
  const token = `${runId}:exec`;
  const owned = own({ kind: 'process', token });
  const startedMs = drive.now();
  const client = new ExecClient(filled.command, filled.env, cwd, token, owned);
  const tail = stderrTail(client.child.stderr!);
  const lines = new OperationLines(client.child.stdout!, { trialMs, startedMs }, drive, shown, () => client.signalGroup('SIGTERM'));
  const exited = client.exited(drive.stopping);
  const finished = (async () => {
    const exit = await atMost(exited, drive);
    // Its last lines may still be in the pipe: read them, unless something that escaped holds the pipe open.
    if (!(await atMost(lines.drained, drive))) client.child.stdout?.destroy();
    const problem = exit && exitProblem(exit, lines, shown, cwd, tail);
    if (problem) drive.fail(problem);
  })();
  drive.track(finished);
  drive.stopping.addEventListener('abort', () => client.signalGroup('SIGTERM'), { once: true });
  drive.ending.addEventListener('abort', () => client.kill(), { once: true });
  return {
    loop: new Promise((resolve) => drive.stopping.addEventListener('abort', () => resolve(), { once: true })),
    close: () => client.close(),
  };
}

/** The command and environment with {host} and {port} filled in; undefined when they name them but no port is published. */
function fillEndpoint(spec: ExecSpec, endpoint: Endpoint | undefined): { command: string[]; env: Record<string, string> } | undefined {
  const placeholders = [...spec.command, ...Object.values(spec.env)].some((s) => /\{(host|port)\}/.test(s));
  if (!endpoint && placeholders) return undefined;
  const fill = (s: string) => (endpoint ? s.replaceAll('{host}', endpoint.host).replaceAll('{port}', String(endpoint.port)) : s);
  return { command: spec.command.map(fill), env: Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, fill(v)])) };
}

/**
 * The client stamps its operations with the wall clock (Date.now(), time.time() * 1000); the trial runs on the
 * monotonic one (performance.now()). performance.timeOrigin + performance.now() is the wall clock as it stood when
 * sigstorm started, advanced monotonically since: NTP may have stepped or slewed the wall clock meanwhile. Their
 * gap, measured once as the client starts, maps its stamps onto the trial clock (a trial lasts seconds: a step
 * during it is not followed).
 */
function trialClock(drive: Drive): (epochMs: number) => number {
  const wallSkew = Date.now() - (performance.timeOrigin + performance.now());
  return (epochMs: number) => epochMs - wallSkew - performance.timeOrigin - drive.originMs;
}

/** Settles once the client has exited and its last lines are read; after the end, only briefly (it was killed). */
const atMost = async <T,>(pending: Promise<T>, drive: Drive) => (await within(pending, MAX_DURATION_MS, drive.ending)) ?? (await within(pending, DRAIN_MS));

/** Why the client's exit leaves the trial without a client: it could not start, died, or finished without any operation. */
function exitProblem(exit: ClientExit, lines: OperationLines, shown: string, cwd: string, tail: () => string): Error | undefined {
  if (exit.error) return infrastructure(`cannot start the exec client ${shown} in ${cwd}: ${exit.error.message}`);
  if (exit.stopped || lines.broken) return undefined;
  if (exit.code !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
    return infrastructure(`the exec client ${shown} ${how} before the trial was over${tail()}`);
  }
  if (lines.operations === 0) {
    return infrastructure(
      `the exec client ${shown} exited at once (status 0) without printing any operation${tail()}`,
      'it must run until sigstorm sends it SIGTERM, printing one JSON line per operation on its stdout (logs go to stderr)',
    );
  }
  return undefined;
}
