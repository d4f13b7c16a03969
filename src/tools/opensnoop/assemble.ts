/**
 * opensnoop's assembly (pure): a libc uprobe gives the path, the syscall
 * tracepoints give the syscall, flags and result, per thread:
 *
 *   uprobe libc open/openat(path, flags)      → path (when the call goes through libc)
 *   syscalls:sys_enter_open/openat/openat2    → which syscall; flags (not openat2's);
 *     (and creat, with the BPF backend)         with the BPF backend also the path
 *                                               (`filename`, creat's `pathname`)
 *   kprobe on the syscall wrapper (path)      → path of every open (kernels with kprobes;
 *                                               it fires after sys_enter)
 *   syscalls:sys_exit_*                       → fd, or -errno; the record is complete
 *
 * A libc path is used only by the next open syscall of the same thread and
 * only when the flags agree, so a path is never shown for the wrong open.
 */
import type { FieldValue } from '../../index.js';

export type OpenRole = 'libc' | 'kpath' | 'enter' | 'exit';

export interface OpenInput {
  readonly role: OpenRole;
  readonly tid: number;
  readonly tgid: number | null;
  readonly comm: string;
  readonly ns: bigint;
  /** `sys_enter_openat` → `openat`; for libc, the function. */
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

export interface OpenRecord {
  readonly ns: bigint;
  readonly pid: number;
  readonly tid: number;
  readonly comm: string;
  readonly syscall: string;
  /** The fd, or -1 on failure. */
  readonly fd: number;
  /** 0, or the positive errno. */
  readonly err: number;
  /** Open flags, or null when the tracepoint does not carry them (openat2). */
  readonly flags: number | null;
  /** The path, or null when it could not be known (not through libc, no kprobes, no BPF). */
  readonly path: string | null;
}

/** O_LARGEFILE on x86 (0100000) and arm64 (0400000): libc may add it on the way down. */
const IGNORED_FLAG_BITS = 0o100000 | 0o400000;
/** creat(path, mode) is open(path, O_CREAT | O_WRONLY | O_TRUNC, mode) (asm-generic and x86 values). */
const CREAT_FLAGS = 0o1101;
const MAX_PENDING = 10_000;

interface Call {
  syscall: string;
  flags: number | null;
  path: string | null;
}

export class OpenAssembler {
  readonly #paths = new Map<number, { path: string; flags: number | null }>();
  readonly #calls = new Map<number, Call>();

  push(ev: OpenInput): OpenRecord | null {
    if (ev.role === 'libc') {
      const path = ev.fields['path'];
      if (typeof path !== 'string') return null;
      bounded(this.#paths, ev.tid, { path, flags: num(ev.fields['flags']) });
      return null;
    }
    if (ev.role === 'kpath') {
      const path = ev.fields['path'];
      const call = this.#calls.get(ev.tid);
      if (typeof path !== 'string') return null;
      if (call && call.syscall === ev.name) call.path = path;
      else bounded(this.#paths, ev.tid, { path, flags: null });
      return null;
    }
    if (ev.role === 'enter') {
      const flags =
        ev.name === 'openat2' ? null : ev.name === 'creat' ? CREAT_FLAGS : num(ev.fields['flags']);
      const libc = this.#paths.get(ev.tid);
      this.#paths.delete(ev.tid);
      // The tracepoint's own path (read by BPF) needs no joining.
      const own = ev.fields['filename'] ?? ev.fields['pathname'];
      if (typeof own === 'string') {
        bounded(this.#calls, ev.tid, { syscall: ev.name, flags, path: own });
        return null;
      }
      const agree =
        libc !== undefined &&
        (libc.flags === null ||
          flags === null ||
          ((libc.flags ^ flags) & ~IGNORED_FLAG_BITS) === 0);
      bounded(this.#calls, ev.tid, { syscall: ev.name, flags, path: agree ? libc.path : null });
      return null;
    }
    const call = this.#calls.get(ev.tid);
    if (!call || call.syscall !== ev.name) return null;
    this.#calls.delete(ev.tid);
    const ret = Number(ev.fields['ret'] ?? 0);
    return {
      ns: ev.ns,
      pid: ev.tgid ?? ev.tid,
      tid: ev.tid,
      comm: ev.comm,
      syscall: call.syscall,
      fd: ret < 0 ? -1 : ret,
      err: ret < 0 ? -ret : 0,
      flags: call.flags,
      path: call.path,
    };
  }
}

function num(v: FieldValue | undefined): number | null {
  return typeof v === 'number' || typeof v === 'bigint' ? Number(v) : null;
}

function bounded<V>(m: Map<number, V>, k: number, v: V): void {
  m.delete(k);
  if (m.size >= MAX_PENDING) {
    const first = m.keys().next().value;
    if (first !== undefined) m.delete(first);
  }
  m.set(k, v);
}
