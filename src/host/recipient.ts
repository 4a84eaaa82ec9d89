/** Who receives a signal: the main process, its whole process group, or every process below it. */
export type Recipient = 'main' | 'group' | 'children';

/** Who a signal goes to, resolved ahead of sending: `kill` is what kill(2) is given (pids, or -pgid for a group). */
export interface Recipients {
  kill: number[];
  /** The processes that receive it, for the record. */
  pids: number[];
}
