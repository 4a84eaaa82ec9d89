import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';
import type { Executable, ProcessStat } from './process-info.js';

const GO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** More section headers than this is no executable we know: stop reading rather than allocate for a corrupt file. */
const MAX_SECTIONS = 512;

/**
 * What the process runs, from /proc/<pid>/exe: the executable's path, and for an ELF file whether the Go toolchain
 * built it (its .go.buildinfo section). A Go binary's comm is its own name, so this is how a record can tell Go apart.
 * Undefined when /proc does not let us read it (the process gone, or another user's without root).
 */
export function readExecutable(stat: Pick<ProcessStat, 'pid' | 'startTime' | 'comm'>): Executable | undefined {
  const exe = `/proc/${stat.pid}/exe`;
  let path: string;
  try {
    path = readlinkSync(exe);
  } catch {
    return undefined;
  }
  return { pid: stat.pid, startTime: stat.startTime, comm: stat.comm, path, ...executableFacts(exe) };
}

/** `elf` and `go` of the executable file at `path` ({} when it cannot be read, or is no ELF file). */
export function executableFacts(path: string): Pick<Executable, 'elf' | 'go'> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return {};
  }
  try {
    return elfFacts(fd);
  } catch {
    return {}; // a file cut short or changed under us: nothing more to tell
  } finally {
    closeSync(fd);
  }
}

function bytesAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, offset);
  return buf.subarray(0, n);
}

/** Section names with their file offset and size, read from the ELF section headers (32 or 64 bit, either byte order). */
function sections(fd: number): Map<string, { offset: number; size: number }> | undefined {
  const h = bytesAt(fd, 0, 64);
  if (h.length < 52 || h.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = h[4] === 2;
  const le = h[5] === 1;
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const word = (b: Buffer, o: number) => (is64 ? Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : u32(b, o));
  const shoff = word(h, is64 ? 0x28 : 0x20);
  const [entsize, count, strndx] = is64 ? [u16(h, 0x3a), u16(h, 0x3c), u16(h, 0x3e)] : [u16(h, 0x2e), u16(h, 0x30), u16(h, 0x32)];
  if (shoff === 0 || count === 0 || count > MAX_SECTIONS || strndx >= count) return undefined;
  const table = bytesAt(fd, shoff, entsize * count);
  const header = (i: number) => {
    const at = i * entsize;
    return { name: u32(table, at), offset: word(table, at + (is64 ? 0x18 : 0x10)), size: word(table, at + (is64 ? 0x20 : 0x14)) };
  };
  const strtab = header(strndx);
  const names = bytesAt(fd, strtab.offset, Math.min(strtab.size, 1 << 16));
  const out = new Map<string, { offset: number; size: number }>();
  for (let i = 0; i < count; i++) {
    const s = header(i);
    const end = names.indexOf(0, s.name);
    out.set(names.toString('latin1', s.name, end < 0 ? undefined : end), { offset: s.offset, size: s.size });
  }
  return out;
}

/** `elf`, and `go` with the toolchain's version when the Go linker wrote its build info (Go ≥ 1.18 writes it inline). */
function elfFacts(fd: number): Pick<Executable, 'elf' | 'go'> {
  const found = sections(fd);
  if (!found) return {};
  const info = found.get('.go.buildinfo');
  if (!info) return { elf: true };
  const head = bytesAt(fd, info.offset, 32 + 64);
  if (!head.subarray(0, GO_MAGIC.length).equals(GO_MAGIC)) return { elf: true };
  const inline = (head[15]! & 0x2) !== 0;
  const length = head[32] ?? 0; // a varint; a version string is always under 128 bytes
  const version = inline && length < 0x80 ? head.toString('latin1', 33, 33 + length) : '';
  return { elf: true, go: /^go\d/.test(version) ? version : 'go' };
}
