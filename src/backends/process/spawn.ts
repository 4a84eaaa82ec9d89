import { execa } from 'execa';
import { setPriority } from 'node:os';
import { outputOnThread } from '../../host/timing-thread.js';
import { ownerEnv } from '../../leftovers/owned.js';
import type { ProcessForm } from '../../scenario/types.js';
import type { SignalName } from '../../signals.js';
import { now } from '../../time.js';
import type { LogBuffer } from '../logs.js';
import type { RawExit } from '../target.js';

export interface Spawned {
  /** Undefined when the command could not be started (then `error` says why). */
  pid: number | undefined;
  error: Error | undefined;
  /** Settles when the main process exits. */
  exited: Promise<RawExit>;
  /** Set once the main process has exited. */
  mainExit(): RawExit | undefined;
  /** Drops what the watch thread kept of its output (once the trial is over). */
  forget(): void;
}

/**
 * Starts the target's command in its own session and process group (execa, detached), its output into `logs`.
 * `{data_dir}` and `{port}` in its command and environment name the trial's data directory and its port. `token`
 * goes into its environment: it finds every process of the target, whatever session it moved to
 * (leftovers/owned.ts). `lowPriority` is the process form of a CPU limit: without a cgroup of its own to put a quota
 * on, it gets the lowest priority (nice 19), which starves it whenever the machine is busy.
 */
interface SpawnContext {
  dataDir: string;
  port: number;
  token: string;
  environment?: Record<string, string>;
}

/** `command` and the target's environment with `{data_dir}` and `{port}` filled in, and the owner token added. */
function filled(command: readonly string[], form: ProcessForm, { dataDir, port, token, environment }: SpawnContext) {
  const fill = (value: string) => value.replaceAll('{data_dir}', dataDir).replaceAll('{port}', String(port));
  const [file, ...args] = command.map(fill);
  const env = Object.fromEntries(Object.entries({ ...form.env, ...environment }).map(([k, v]) => [k, fill(v)]));
  return { file: file!, args, env: { DATA_DIR: dataDir, ...env, [form.portEnv]: String(port), ...ownerEnv(token) } };
}

/**
 * Runs a stop hook (preStop exec, ExecStop) as a process of the target: in its directory, with its environment and
 * owner token (so it dies with the target and is found as its leftover), its output into `logs`. Resolves with its
 * exit code once it ends, or with null when `abort` fires first (the hook is left to die with the target).
 */
export async function runHook(
  command: readonly string[],
  form: ProcessForm,
  context: SpawnContext,
  logs: LogBuffer,
  abort: AbortSignal,
): Promise<{ exitCode: number | null; error?: string }> {
  const { file, args, env } = filled(command, form, context);
  const child = execa(file, args, { cwd: form.cwd, env, stdin: 'ignore', buffer: false, reject: false, cleanup: false });
  child.stdout?.on('data', (chunk: Buffer) => logs.write('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => logs.write('stderr', chunk));
  const ended = child.then((r) => ({ exitCode: r.exitCode ?? null, ...(r.failed && r.exitCode === undefined ? { error: r.shortMessage } : {}) }));
  const aborted = new Promise<{ exitCode: null; error: string }>((resolve) =>
    abort.addEventListener('abort', () => resolve({ exitCode: null, error: 'still running' }), { once: true }),
  );
  return Promise.race([ended, aborted]);
}

export async function spawnTarget(
  form: ProcessForm,
  {
    dataDir,
    port,
    token,
    environment,
    lowPriority,
  }: { dataDir: string; port: number; token: string; environment?: Record<string, string>; lowPriority?: boolean },
  logs: LogBuffer,
): Promise<Spawned> {
  const { file, args, env } = filled(form.command, form, { dataDir, port, token, ...(environment ? { environment } : {}) });
  // Its output read by the watch thread, so a signal timed from a line goes the moment the line is read, whatever the
  // event loop is doing; read here when that thread is not there.
  const output = await outputOnThread((stream, text, atMs) => logs.write(stream, text, atMs));
  const child = execa(file, args, {
    cwd: form.cwd,
    env,
    detached: true, // setsid(): own session and process group, so group signals and leftovers are ours alone
    stdin: 'ignore',
    stdout: output?.stdout ?? 'pipe',
    stderr: output?.stderr ?? 'pipe',
    buffer: false,
    reject: false,
    cleanup: false, // sigstorm kills the whole group itself, see leftovers/tracked.ts
  });
  child.catch(() => undefined);
  child.stdout?.on('data', (chunk: Buffer) => logs.write('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => logs.write('stderr', chunk));
  if (output) logs.thread = output.id;

  let mainExit: RawExit | undefined;
  // 'exit', not the execa promise: orphans holding the pipes must not delay what we observe.
  const exited = new Promise<RawExit>((resolve) => {
    child.once('exit', (code, signal) => {
      mainExit = { exitCode: code, signal: (signal as SignalName | null) ?? null, atMs: now() };
      resolve(mainExit);
    });
  });

  const error = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  output?.handedOver();
  // The lowest scheduling priority, before it starts children of its own (they inherit it).
  if (lowPriority && child.pid !== undefined && !error) setPriority(child.pid, 19);
  return { pid: child.pid, error, exited, mainExit: () => mainExit, forget: () => output?.forget() };
}
