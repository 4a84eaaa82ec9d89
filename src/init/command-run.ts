import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../backends/process/free-port.js';
import { descendants, readStat, socketInodes, tcpTableLines } from '../host/procfs.js';
import { listeningPorts } from '../host/tcp-table.js';
import { probeHttp } from '../probes/http-get.js';
import { sleep } from '../time.js';

// `sigstorm init -- <command>`: start the command once, as the process backend would (its own process group, a
// free port in $PORT, a fresh $DATA_DIR), find the TCP port it listens on in /proc, ask a few readiness paths,
// then stop it with SIGTERM (SIGKILL after a grace period) and say how it went. The facts, as plain data.

export const READY_PATHS = ['/healthz', '/health', '/ready', '/'] as const;

export interface CommandRun {
  argv: string[];
  /** The port handed in $PORT. */
  handed: number;
  /** Every port the process tree listened on, and the one chosen. */
  ports: number[];
  port?: number;
  /** ms from spawn until a port was listening. */
  listeningAfterMs?: number;
  /** Each readiness path asked, with its answer ("HTTP 404", "ECONNRESET"). */
  tried: { path: string; detail: string; ok: boolean }[];
  ready?: string;
  /** The first lines it printed (stdout and stderr). */
  output: string[];
  /** The command names (comm) of its process tree once it listened: the server behind a wrapper script. */
  comms: string[];
  /** Why it could not be started at all (ENOENT: no such program). */
  spawnError?: string;
  /** How it ended: after init's SIGTERM, SIGKILL, or on its own before that (`early`). */
  exit?: { code: number | null; signal: string | null; afterMs: number; how: 'SIGTERM' | 'SIGKILL' | 'early' };
}

export interface RunOptions {
  cwd: string;
  /** A readiness path a file gave, asked first. */
  path?: string;
  /** How long the command may take to listen. */
  timeoutMs?: number;
  graceMs?: number;
}

export async function runCommand(argv: string[], { cwd, path, timeoutMs = 15_000, graceMs = 5_000 }: RunOptions): Promise<CommandRun> {
  const handed = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sigstorm-init-'));
  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: String(handed), DATA_DIR: dataDir } });
  const run: CommandRun = { argv, handed, ports: [], tried: [], output: [], comms: [] };
  const onLine = (chunk: Buffer) => run.output.push(...chunk.toString('utf8').split('\n').filter(Boolean).slice(0, 50 - run.output.length));
  child.stdout.on('data', onLine);
  child.stderr.on('data', onLine);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (e: NodeJS.ErrnoException) => ((run.spawnError = e.code ?? e.message), resolve({ code: null, signal: null })));
  });
  if (child.pid === undefined) {
    // Not started (no such program): the error comes on a later tick.
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
    return run;
  }
  let gone: { code: number | null; signal: string | null } | undefined;
  void exited.then((e) => (gone = e));
  try {
    run.ports = await listening(child.pid, () => gone !== undefined, started + timeoutMs);
    run.comms = [...new Set([readStat(child.pid), ...descendants(child.pid)].flatMap((p) => (p ? [p.comm] : [])))];
    if (run.ports.length) run.listeningAfterMs = Math.round(performance.now() - started);
    run.port = run.ports.includes(handed) ? handed : run.ports[0];
    if (run.port) await askPaths(run, run.port, [...new Set([...(path ? [path] : []), ...READY_PATHS])], () => gone !== undefined);
  } finally {
    run.exit = await stop(child.pid, exited, () => gone, started, graceMs);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return run;
}

/** The ports the process tree listens on, once any is (a moment more for the rest: workers may bind after). */
async function listening(pid: number | undefined, exited: () => boolean, deadline: number): Promise<number[]> {
  if (pid === undefined) return [];
  const read = () => {
    const tree = [pid, ...descendants(pid).map((p) => p.pid)];
    const inodes = new Set(tree.flatMap((p) => [...socketInodes(p)]));
    return listeningPorts(tcpTableLines(pid), inodes);
  };
  while (!exited() && performance.now() < deadline) {
    if (read().length) {
      await sleep(300);
      return read();
    }
    await sleep(100);
  }
  return [];
}

/** Asks each readiness path until one answers 2xx; a port that refuses at first is asked again until 5 s pass. */
async function askPaths(run: CommandRun, port: number, paths: string[], exited: () => boolean): Promise<void> {
  const until = performance.now() + 5_000;
  do {
    run.tried = [];
    for (const path of paths) {
      const answer = await probeHttp('127.0.0.1', port, path, 2_000);
      run.tried.push({ path, ...answer });
      if (answer.ok) return void (run.ready = path);
    }
    // An answer, HTTP or not (a parse error: another protocol), will not change; a refusal may, once it binds all.
    if (run.tried.some((t) => /^(HTTP |HPE_)/.test(t.detail))) return;
    await sleep(200);
  } while (!exited() && performance.now() < until);
}

async function stop(
  pid: number | undefined,
  exited: Promise<{ code: number | null; signal: string | null }>,
  gone: () => { code: number | null; signal: string | null } | undefined,
  started: number,
  graceMs: number,
): Promise<CommandRun['exit']> {
  if (pid === undefined) return undefined;
  const early = gone();
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone
    }
  };
  if (early) return { ...early, afterMs: Math.round(performance.now() - started), how: 'early' };
  kill('SIGTERM');
  const sent = performance.now();
  let timeout: NodeJS.Timeout | undefined;
  const timer = new Promise<undefined>((resolve) => (timeout = setTimeout(() => resolve(undefined), graceMs)));
  let result = await Promise.race([exited, timer]);
  clearTimeout(timeout);
  let how: 'SIGTERM' | 'SIGKILL' = 'SIGTERM';
  if (!result) {
    kill('SIGKILL');
    how = 'SIGKILL';
    result = await exited;
  }
  kill('SIGKILL'); // what it left behind in its group
  return { ...result, afterMs: Math.round(performance.now() - sent), how };
}
