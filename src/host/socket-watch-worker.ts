/**
 * A watch of the target's TCP sockets around a signal: reads of `tables` (/proc/<pid>/net/tcp, tcp6) at least `leadMs`
 * before it, right after it, then one every `everyMs` until the tables are gone (the target exited), `max` reads were
 * made, or the main thread ends it. Only the lines of local port `port` (hex, as the table writes it) are kept.
 */
export interface WorkerWatch {
  tables: string[];
  port: string;
  leadMs: number;
  everyMs: number;
  max: number;
}

/** One read of a watch: the lines kept (absent when as in the read before), or why the read failed. */
export interface WorkerSnapshot {
  atMs: number;
  doneMs?: number;
  at: 'before' | 'after' | 'tick';
  lines?: string[];
  error?: string;
}

/** The socket watches of the reader thread, as `socketReader` drives them. */
export interface SocketWatches {
  /** A new watch; with `early`, a first read now (its plan's shot is far enough off): it times the reads to come. */
  add(id: number, spec: WorkerWatch, early: boolean): void;
  /** How long before the signal of watch `id` its `before` read is due (0: none due). */
  leadOf(id: number): number;
  /**
   * The `before` read of the signal at `atMs`, made now, or only marked done when a read as slow as the recent ones
   * would not end before the signal (a watch that came late, for a signal timed from a request's phase, still reads).
   */
  before(id: number, atMs: number): void;
  /** The `after` read, right after the signal; the watch then ticks. */
  after(id: number): void;
  /** When the next tick is due (Infinity: none). */
  nextDue(): number;
  tick(): void;
  /** Ends a watch now and posts what it read. */
  end(id: number): void;
}

/** How a watch reads its tables: by path, through an fd opened at its first read. */
export interface TableFiles {
  read(path: string): string;
  close(path: string): void;
}

/**
 * Stand-alone too (passed to the reader thread as source). Each table is opened once and read again from offset 0:
 * an open /proc/<pid>/net file holds its network namespace, so the reads go on after the process has exited (a
 * container's namespace dies with its processes). Throws as readFileSync does when a table cannot be opened.
 */
export function tableFiles(): TableFiles {
  const fs = require('node:fs') as typeof import('node:fs');
  const fds = new Map<string, number>();
  let buffer = Buffer.alloc(1 << 20);
  return {
    read(path) {
      const fd = fds.get(path) ?? fds.set(path, fs.openSync(path, 'r')).get(path)!;
      let length = 0;
      for (let n = -1; n !== 0; length += n) {
        if (length === buffer.length) buffer = Buffer.concat([buffer, Buffer.alloc(buffer.length)]);
        n = fs.readSync(fd, buffer, length, buffer.length - length, length);
      }
      return buffer.toString('latin1', 0, length);
    },
    close(path) {
      const fd = fds.get(path);
      if (fd !== undefined) fs.closeSync(fd);
      fds.delete(path);
    },
  };
}

/** One watch: the tables it still reads, its last lines, its reads, when it ticks next and how many reads it has left. */
type Watch = { id: number; spec: WorkerWatch; tables: string[]; last?: string; snapshots: WorkerSnapshot[]; next: number; left: number; pre: boolean };

/**
 * Stand-alone (it runs in the reader thread from its source text: no imports, no closure). A read
 * keeps only the lines whose local port is the watched one, and only when they differ from the read before; the
 * first read that finds the port narrows the tables to those that hold it (tcp or tcp6). A watch ends when no table
 * can be read any more, after `max` reads, or when ended.
 */
export function socketWatches(nowMs: () => number, post: (id: number, snapshots: WorkerSnapshot[]) => void, files: TableFiles): SocketWatches {
  const [pending, active] = [new Map<number, Watch>(), [] as Watch[]];
  // How long a read takes here, recently (a slow one remembered, fading): the `before` read starts early enough for it.
  let slowest = 0;
  const suffix = (w: Watch) => `:${w.spec.port}`;
  const read = (w: Watch, at: WorkerSnapshot['at']): boolean => {
    const atMs = nowMs();
    const lines: string[] = [];
    const found: string[] = [];
    let error: string | undefined;
    for (const table of w.tables) {
      let text: string;
      try {
        text = files.read(table);
      } catch (e) {
        error = (e as NodeJS.ErrnoException).code ?? String(e);
        continue;
      }
      const before = lines.length;
      for (const line of text.split('\n')) {
        // "  12: 0100007F:1F90 0100007F:9E2A 01 …": the local address ends at the second space after the colon.
        const i = line.indexOf(': ');
        const j = i < 0 ? -1 : line.indexOf(' ', i + 2);
        if (j > 0 && line.slice(j - suffix(w).length, j) === suffix(w)) lines.push(line.trim());
      }
      if (lines.length > before) found.push(table);
    }
    // No table left to read: the target (its namespace) is gone.
    if (error !== undefined && found.length === 0) {
      w.snapshots.push({ atMs, at, error });
      return false;
    }
    if (found.length > 0) w.tables = found;
    const [doneMs, key] = [nowMs(), lines.join('\n')];
    slowest = Math.max(doneMs - atMs, slowest * 0.8);
    w.snapshots.push(key === w.last ? { atMs, doneMs, at } : { atMs, doneMs, at, lines });
    w.last = key;
    return true;
  };
  const finish = (w: Watch) => {
    w.spec.tables.forEach((t) => files.close(t));
    pending.delete(w.id);
    if (active.includes(w)) active.splice(active.indexOf(w), 1);
    post(w.id, w.snapshots);
  };
  return {
    // A process's first reads tell how slow a read is here (1.5 ms, or 20 ms on a loaded host): the lead follows.
    add(id, spec, early) {
      const w: Watch = { id, spec, tables: spec.tables, snapshots: [], next: 0, left: spec.max, pre: false };
      if (pending.set(id, w) && early && !read(w, 'before')) finish(w);
    },
    leadOf: (id) => (pending.get(id)?.pre === false ? Math.min(30, Math.max(pending.get(id)!.spec.leadMs, 2 * slowest)) : 0),
    before(id, atMs) {
      const w = pending.get(id);
      if (!w) return;
      w.pre = true;
      if (nowMs() + slowest < atMs && !read(w, 'before')) finish(w);
    },
    after(id) {
      const w = pending.get(id);
      if (!w) return;
      pending.delete(id);
      if (!read(w, 'after') || w.left <= 1) return finish(w);
      Object.assign(w, { next: nowMs() + w.spec.everyMs, left: w.left - 1 });
      active.push(w);
    },
    nextDue: () => active.reduce((min, w) => Math.min(min, w.next), Number.POSITIVE_INFINITY),
    tick() {
      for (const w of [...active]) {
        if (w.next > nowMs()) continue;
        if (!read(w, 'tick') || --w.left <= 0) finish(w);
        else w.next = nowMs() + w.spec.everyMs;
      }
    },
    end(id) {
      const w = pending.get(id) ?? active.find((a) => a.id === id);
      if (w) finish(w);
    },
  };
}
