import { execa } from 'execa';
import { killSession, sessionIsOurs } from '../backends/process/session.js';
import { allProcesses, readStat } from '../host/procfs.js';
import { holdsToken, ownerEnv } from '../leftovers/owned.js';
import type { Owned } from '../leftovers/tracked.js';
import { sleep } from '../time.js';

/** How the client ended: its status or signal, whether traffic had stopped by then, or why it could not start. */
export interface ClientExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stopped: boolean;
  error?: Error;
}

/**
 * The user's client, started in its own session and process group and journalled like a process target, so an
 * interrupt, the exit hook, or `sigstorm gc` removes it too. What is left of it is its session, and whatever moved
 * out of the session but carries its owner token.
 */
export class ExecClient {
  readonly child: ReturnType<typeof spawnClient>;
  readonly pid: number | undefined;
  private readonly startTime: number;

  constructor(
    command: readonly string[],
    env: Record<string, string>,
    cwd: string,
    private readonly token: string,
    /** Its journal entry, announced before the spawn. */
    private readonly owned: Owned,
  ) {
    this.child = spawnClient(command, env, cwd, token);
    this.child.catch(() => undefined);
    const pid = (this.pid = this.child.pid);
    const startTime = (this.startTime = pid !== undefined ? (readStat(pid)?.startTime ?? -1) : -1);
    if (pid !== undefined) owned.created({ pid, startTime }, () => killSession(pid, startTime, token));
  }

  /** Settles when the client exits, or when it could not be started. */
  exited(stopping: AbortSignal): Promise<ClientExit> {
    return new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal, stopped: stopping.aborted }));
      this.child.once('error', (error) => {
        if (this.pid === undefined) resolve({ code: null, signal: null, stopped: stopping.aborted, error });
      });
    });
  }

  /** Signals the client's process group (a client run through a shell or `npm run` has children: it reaches them all). */
  signalGroup(signal: NodeJS.Signals): void {
    const { pid, startTime, token } = this;
    if (pid === undefined || !sessionIsOurs(pid, startTime, token)) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is empty
    }
  }

  /** SIGKILL for its session and whatever else carries its token. */
  kill(): void {
    if (this.pid !== undefined) killSession(this.pid, this.startTime, this.token);
  }

  /** Kills the children it left behind, which its exit did not take along; released from the journal once none is left. */
  async close(): Promise<void> {
    for (let i = 0; i < 100 && this.remaining().length > 0; i++) {
      killSession(this.pid!, this.startTime, this.token);
      await sleep(10);
    }
    if (this.remaining().length === 0) this.owned.released();
  }

  /** Anything of the client still running: its session, and whatever moved out of it but carries its token. */
  private remaining() {
    const { pid, startTime, token } = this;
    return pid === undefined ? [] : allProcesses().filter((p) => p.state !== 'Z' && (p.sid === pid || holdsToken(p, token, startTime)));
  }
}

function spawnClient(command: readonly string[], env: Record<string, string>, cwd: string, token: string) {
  const [file, ...args] = command;
  return execa(file!, args, {
    cwd,
    env: { ...env, ...ownerEnv(token) },
    detached: true, // setsid(): a group of its own to signal, out of reach of the terminal's Ctrl-C
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: false, // removed by sigstorm itself, see leftovers/tracked.ts
  });
}
