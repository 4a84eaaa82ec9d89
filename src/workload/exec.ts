import { execa } from 'execa';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { killSession, sessionIsOurs } from '../backends/process/session.js';
import { badInput, infrastructure } from '../errors.js';
import { allProcesses, readStat } from '../host/procfs.js';
import { holdsToken, ownerEnv } from '../leftovers/owned.js';
import { own } from '../leftovers/tracked.js';
import type { Workload } from '../scenario/types.js';
import { MAX_DURATION_MS, sleep, within } from '../time.js';
import type { Drive, Driver } from './drive.js';
import { badLine, parseExecLine } from './exec-line.js';
import type { Endpoint } from './http-client.js';

/** The last lines of the client's stderr kept for the messages about it. */
const STDERR_LINES = 20;
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
  const placeholders = [...spec.command, ...Object.values(spec.env)].some((s) => /\{(host|port)\}/.test(s));
  if (!endpoint && placeholders) {
    drive.fail(badInput('workload.exec: the command names {host} or {port}, but the target publishes no port on this backend: give it `ports:`'));
    return { loop: Promise.resolve() };
  }
  const fill = (s: string) => (endpoint ? s.replaceAll('{host}', endpoint.host).replaceAll('{port}', String(endpoint.port)) : s);

  // The client stamps its operations with the wall clock (Date.now(), time.time() * 1000); the trial runs on the
  // monotonic one (performance.now()). performance.timeOrigin + performance.now() is the wall clock as it stood when
  // sigstorm started, advanced monotonically since: NTP may have stepped or slewed the wall clock meanwhile. Their
  // gap, measured once as the client starts, maps its stamps onto the trial clock (a trial lasts seconds: a step
  // during it is not followed).
  const wallSkew = Date.now() - (performance.timeOrigin + performance.now());
  const trialMs = (epochMs: number) => epochMs - wallSkew - performance.timeOrigin - drive.originMs;

  const token = `${runId}:exec`;
  const owned = own({ kind: 'process', token });
  const startedMs = drive.now();
  const [file, ...args] = spec.command.map(fill);
  const env = Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, fill(v)]));
  const child = execa(file!, args, {
    cwd,
    env: { ...env, ...ownerEnv(token) },
    detached: true, // setsid(): a group of its own to signal, out of reach of the terminal's Ctrl-C
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: false, // removed by sigstorm itself, see leftovers/tracked.ts
  });
  child.catch(() => undefined);
  const pid = child.pid;
  const startTime = pid !== undefined ? (readStat(pid)?.startTime ?? -1) : -1;
  if (pid !== undefined) owned.created({ pid, startTime }, () => killSession(pid, startTime, token));
  const group = (signal: NodeJS.Signals) => {
    if (pid === undefined || !sessionIsOurs(pid, startTime, token)) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is empty
    }
  };
  /** Anything of the client still running: its session, and whatever moved out of it but carries its token. */
  const remaining = () =>
    pid === undefined ? [] : allProcesses().filter((p) => p.state !== 'Z' && (p.sid === pid || holdsToken(p, token, startTime)));

  const stderr: string[] = [];
  createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', (text) => {
    stderr.push(text);
    if (stderr.length > STDERR_LINES) stderr.shift();
  });
  const tail = () => (stderr.length ? `; its stderr ended with:\n${stderr.map((l) => `  ${l}`).join('\n')}` : ' (nothing on its stderr)');

  let lineNumber = 0;
  let operations = 0;
  let broken = false;
  const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
  lines.on('line', (text) => {
    lineNumber++;
    if (broken) return;
    const parsed = parseExecLine(text, { trialMs, readMs: drive.now(), startedMs });
    if (!parsed) return;
    if ('problem' in parsed) {
      broken = true;
      drive.fail(infrastructure(`exec client ${shown}: ${badLine(lineNumber, text, parsed.problem)}`));
      group('SIGTERM');
      return;
    }
    operations++;
    const id = drive.id();
    if (id !== undefined) drive.ledger.push({ id, ...parsed.entry });
  });
  const drained = new Promise<true>((resolve) => lines.once('close', () => resolve(true)));

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stopped: boolean; error?: Error }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, stopped: drive.stopping.aborted }));
    child.once('error', (error) => {
      if (pid === undefined) resolve({ code: null, signal: null, stopped: drive.stopping.aborted, error });
    });
  });

  /** Settles once the client has exited and its last lines are read; after the end, only briefly (it was killed). */
  const atMost = async <T,>(pending: Promise<T>) => (await within(pending, MAX_DURATION_MS, drive.ending)) ?? (await within(pending, DRAIN_MS));
  const finished = (async () => {
    const exit = await atMost(exited);
    // Its last lines may still be in the pipe: read them, unless something that escaped holds the pipe open.
    if (!(await atMost(drained))) child.stdout?.destroy();
    if (!exit) return;
    if (exit.error) drive.fail(infrastructure(`cannot start the exec client ${shown} in ${cwd}: ${exit.error.message}`));
    else if (exit.stopped || broken) return;
    else if (exit.code !== 0) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
      drive.fail(infrastructure(`the exec client ${shown} ${how} before the trial was over${tail()}`));
    } else if (operations === 0) {
      drive.fail(
        infrastructure(
          `the exec client ${shown} exited at once (status 0) without printing any operation${tail()}`,
          'it must run until sigstorm sends it SIGTERM, printing one JSON line per operation on its stdout (logs go to stderr)',
        ),
      );
    }
  })();
  drive.track(finished);
  drive.stopping.addEventListener('abort', () => group('SIGTERM'), { once: true });
  drive.ending.addEventListener('abort', () => pid !== undefined && killSession(pid, startTime, token), { once: true });

  return {
    loop: new Promise((resolve) => drive.stopping.addEventListener('abort', () => resolve(), { once: true })),
    async close() {
      // Children it left behind, which its exit did not take along.
      for (let i = 0; i < 100 && remaining().length > 0; i++) {
        killSession(pid!, startTime, token);
        await sleep(10);
      }
      if (remaining().length === 0) owned.released();
    },
  };
}
