import { killByPid, killRecipients, recipientsOf } from '../../host/kill.js';
import type { ProcessInfo, ProcessStat } from '../../host/process-info.js';
import { isSameProcess, withFds } from '../../host/procfs.js';
import type { Recipient, Recipients } from '../../host/recipient.js';
import type { SignalName } from '../../signals.js';
import { now, sleep, within } from '../../time.js';
import type { Applied, Delivery, RawExit } from '../target.js';
import type { MemberWatch } from './members.js';
import { killSession, sessionIsOurs } from './session.js';
import type { Spawned } from './spawn.js';

/**
 * The processes of one local target: its session (which survives re-parenting to init) and whatever carries its
 * token; what signals, freezes and kills them. Its one state: whether the target is known to be gone.
 */
export class TargetProcesses {
  /** Set once the main process exited and nothing of the target was left. */
  private gone = false;

  constructor(
    private readonly pid: number,
    private readonly startTime: number,
    private readonly token: string,
    private readonly watch: MemberWatch,
    private readonly spawned: Pick<Spawned, 'exited' | 'mainExit'>,
  ) {}

  /** Everything of the target: its session and whatever carries its token. */
  members(): ProcessStat[] {
    return this.watch.members(this.pid, this.startTime);
  }

  leftovers(): ProcessStat[] {
    return this.members().filter((p) => p.state !== 'Z');
  }

  async signal(signals: readonly SignalName[], to: Recipient): Promise<Delivery[]> {
    if (to === 'all') return killRecipients(this.everyMember(), signals);
    this.ensureOurs(to);
    return killByPid(this.pid, signals, to);
  }

  recipients(to: Recipient): Recipients {
    if (to === 'all') return this.everyMember();
    this.ensureOurs(to);
    return recipientsOf(this.pid, to);
  }

  /** SIGSTOP to the group; the heal sends SIGCONT, if the group is still the target's. */
  async freeze(): Promise<Applied> {
    if (!this.groupIsOurs()) throw new Error(`the target (pid ${this.pid}) has exited`);
    process.kill(-this.pid, 'SIGSTOP');
    const atMs = now(); // once sent; the heal is timed before SIGCONT: [atMs, healed] is a span the freeze surely held
    const heal = async () => {
      const healedAt = now();
      if (this.groupIsOurs()) process.kill(-this.pid, 'SIGCONT');
      return healedAt;
    };
    return { atMs, via: 'host-pid' as const, heal };
  }

  async waitGone(untilMs: number, abort?: AbortSignal): Promise<RawExit | undefined> {
    const exit = await within(this.spawned.exited, untilMs - now(), abort);
    if (!exit) return undefined;
    while (this.leftovers().length > 0) {
      if (now() >= untilMs || abort?.aborted) return undefined;
      await sleep(Math.min(20, untilMs - now()));
    }
    this.gone = true;
    return exit;
  }

  /** Main first, then by pid. */
  processes(): ProcessInfo[] {
    const pid = this.pid;
    return withFds(this.members().sort((a, b) => (a.pid === pid ? -1 : b.pid === pid ? 1 : a.pid - b.pid)), pid);
  }

  async kill(): Promise<RawExit> {
    killSession(this.pid, this.startTime, this.token);
    const exit = await this.spawned.exited;
    for (let i = 0; i < 100 && this.leftovers().length > 0; i++) {
      killSession(this.pid, this.startTime, this.token);
      await sleep(10);
    }
    return exit;
  }

  /** Whether the target has ended. Nothing of it can appear once nothing of it is left: no second look after waitGone saw it so. */
  ended(): boolean {
    return this.gone || (this.spawned.mainExit() !== undefined && this.leftovers().length === 0);
  }

  private groupIsOurs(): boolean {
    return sessionIsOurs(this.pid, this.startTime, this.token, () => this.members().filter((p) => p.sid === this.pid));
  }

  /** Pids are reused: signal only what is still the target (its group may outlive its leader). */
  private ensureOurs(to: Recipient): void {
    if (to === 'group' ? !this.groupIsOurs() : !isSameProcess(this.pid, this.startTime)) throw new Error(`the target (pid ${this.pid}) has exited`);
  }

  /** `all`: every process of the target, wherever it moved (systemd's control group), the main one gone or not. */
  private everyMember(): Recipients {
    const pids = this.leftovers().map((p) => p.pid);
    if (pids.length === 0) throw new Error(`the target (pid ${this.pid}) has exited, and nothing of it is left`);
    return { kill: pids, pids };
  }
}
