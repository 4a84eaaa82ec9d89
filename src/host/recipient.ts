/**
 * Who receives a signal: the main process, its whole process group, every process below it, or all of these: every
 * process of the target (systemd's control group).
 */
export type Recipient = 'main' | 'group' | 'children' | 'all';

/** Who a signal goes to, resolved ahead of sending: `kill` is what kill(2) is given (pids, or -pgid for a group). */
export interface Recipients {
  kill: number[];
  /** The processes that receive it, for the record. */
  pids: number[];
}
