// What an fd points at, from its /proc link text alone: pure, so the oracles can classify recorded targets too.

export const FD_KINDS = ['socket', 'pipe', 'anon', 'file', 'other'] as const;
export type FdKind = (typeof FD_KINDS)[number];
export type FdKinds = Record<FdKind, number>;

/** What one `readlink /proc/<pid>/fd/N` names: a socket, a pipe, an anon inode (eventfd, epoll, timerfd, memfd, …), a file, or other (devices, namespaces). */
export function fdKind(target: string): FdKind {
  if (target.startsWith('socket:')) return 'socket';
  if (target.startsWith('pipe:')) return 'pipe';
  if (target.startsWith('anon_inode:') || target.startsWith('/memfd:')) return 'anon';
  // Devices (/dev/null, a tty) are not leaked by reloads the way files are; the path is in the target's mount
  // namespace, so it cannot be stat'ed from here: the name is what tells.
  if (target.startsWith('/') && !target.startsWith('/dev/')) return 'file';
  return 'other';
}
