// The lines of /proc/<pid>/net/tcp{,6} that a socket watch keeps, read as plain data: pure, so records and oracles
// can use them without touching /proc.

/** The kernel's TCP states, by the hex code /proc/net/tcp shows (include/net/tcp_states.h). */
const STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'NEW_SYN_RECV',
};

/**
 * One connection to the target's port as its network namespace showed it. `port` is the peer's port: the workload's
 * local port when nothing stands between them. `accepted`: a process had accept()ed it (the socket has an inode only
 * once it is a file of some process); `rx`: bytes received and not yet read by the application.
 */
export interface SocketConn {
  port: number;
  state: string;
  rx: number;
  accepted: boolean;
}

/** The hex form of a port as /proc/net/tcp writes it after an address (`:1F90`). */
export const portHex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');

/**
 * The connections of `lines` (from /proc/<pid>/net/tcp or tcp6) whose local port is `port`, the listener left out.
 * Lines of another port, the header and malformed lines are skipped.
 */
export function connectionsOn(lines: readonly string[], port: number): SocketConn[] {
  const suffix = `:${portHex(port)}`;
  const out: SocketConn[] = [];
  for (const line of lines) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !f[1]!.endsWith(suffix)) continue;
    const state = STATES[f[3]!] ?? f[3]!;
    if (state === 'LISTEN') continue;
    const remote = f[2]!.split(':').at(-1)!;
    out.push({ port: parseInt(remote, 16), state, rx: parseInt(f[4]!.split(':')[1]!, 16), accepted: f[9] !== '0' });
  }
  return out;
}

/** Still in the listen queue: connected by the kernel, never accept()ed (a listener's close resets it). */
export const isQueued = (c: SocketConn): boolean => !c.accepted && (c.state === 'ESTABLISHED' || c.state === 'SYN_RECV' || c.state === 'CLOSE_WAIT');

/**
 * Closed by the application after it took it: an orphan on its way out (no inode any more). A connection a listener's
 * close resets never gets here; it is gone at once.
 */
export const isClosedByTarget = (c: SocketConn): boolean =>
  !c.accepted && (c.state === 'FIN_WAIT1' || c.state === 'FIN_WAIT2' || c.state === 'TIME_WAIT' || c.state === 'CLOSING' || c.state === 'LAST_ACK');

/**
 * The local ports of the listening sockets of `lines` (from /proc/<pid>/net/tcp or tcp6) whose inode is in `inodes`
 * (the sockets a process holds): the ports that process listens on. Sorted, each once.
 */
export function listeningPorts(lines: readonly string[], inodes: ReadonlySet<string>): number[] {
  const ports = new Set<number>();
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue;
    ports.add(parseInt(f[1]!.split(':').at(-1)!, 16));
  }
  return [...ports].sort((a, b) => a - b);
}
