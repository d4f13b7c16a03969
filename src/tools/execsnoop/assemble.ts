/**
 * execsnoop's assembly of one exec from several events of the same thread
 * (pure apart from the injected /proc readers):
 *
 *   uprobe libc execve(filename, argv)  → filename and argv as the caller passed them
 *   syscalls:sys_enter_execve[at]       → a syscall began (pairs the exit); with the BPF
 *                                         backend it carries filename and argv itself
 *   sched:sched_process_exec            → success: the kernel's filename, the new pid
 *   syscalls:sys_exit_execve[at] (ret)  → the result; the record is complete
 *   sched:sched_process_fork            → parent of each new process, for PPID
 *
 * Without syscall tracepoints a record is emitted at sched_process_exec.
 */
import type { FieldValue } from '../../index.js';
import { stringList } from '../common/strings.js';

/** `args`: a syscall entry carrying filename and argv (the BPF backend reads them from the tracepoint). */
export type Role = 'libc' | 'args' | 'enter' | 'exit' | 'exec' | 'fork';

export interface ExecInput {
  readonly role: Role;
  readonly tid: number;
  readonly tgid: number | null;
  readonly comm: string;
  readonly ns: bigint;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

export type ArgvSource = 'libc' | 'kprobe' | 'tracepoint' | 'proc' | 'none';

/** Where the probe-read arguments come from (the 'libc' or 'args' role's events). */
export type ProbeSource = 'libc' | 'kprobe' | 'tracepoint';

export interface ExecRecord {
  readonly ns: bigint;
  readonly comm: string;
  readonly pid: number;
  readonly ppid: number | null;
  /** 0, or the negative errno. */
  readonly ret: number;
  /** What was executed: the kernel's name on success, the caller's on failure; null when unknown. */
  readonly filename: string | null;
  readonly argv: readonly string[];
  /** Where argv came from: the libc uprobe, a syscall kprobe, the syscall tracepoint (BPF), /proc/PID/cmdline (read late: racy), or nowhere. */
  readonly argvSource: ArgvSource;
  /** The kernel's limits cut the argument list (more arguments than were read). */
  readonly truncated: boolean;
}

export interface ProcReaders {
  cmdline(pid: number): string[] | null;
  ppid(pid: number): number | null;
}

interface Pending {
  ns: bigint;
  filename: string | null;
  argv: string[] | null;
  truncated: boolean;
  entered: boolean;
  execFilename: string | null;
  newPid: number | null;
}

const MAX_PENDING = 10_000;
/** The most strings one `:ustring[N]` array reads (the spec's array limit). */
export const MAX_TRACEPOINT_ARGS = 64;
/** Bytes the BPF backend reads of one string, NUL included (BPF_STRING_MAX): a longer one is cut. */
const BPF_STRING_BYTES = 128;

/** A string the BPF backend may have cut at its read limit. */
function cutString(s: string | null): boolean {
  return s !== null && Buffer.byteLength(s) >= BPF_STRING_BYTES - 1;
}

export class ExecAssembler {
  readonly #pending = new Map<number, Pending>();
  readonly #parents = new Map<number, number>();
  /** Command name each process got at its last exec seen (event comms are looked up late). */
  readonly #comms = new Map<number, string>();
  readonly #proc: ProcReaders;
  readonly #haveExit: boolean;
  readonly #probeSource: ProbeSource;
  readonly #maxArgs: number;

  /**
   * `haveExit`: sys_exit_execve events come (else records are emitted on
   * sched_process_exec). `probeSource`: what the 'libc' role's events are
   * (a libc uprobe, or a kprobe on the syscall with the same fields), or
   * 'tracepoint' for the 'args' role. `maxArgs`: arguments wanted; an 'args'
   * event reads one more (up to 64) to tell a cut list from a full one.
   */
  constructor(
    proc: ProcReaders,
    haveExit: boolean,
    probeSource: ProbeSource = 'libc',
    options: { readonly maxArgs?: number } = {},
  ) {
    this.#proc = proc;
    this.#haveExit = haveExit;
    this.#probeSource = probeSource;
    this.#maxArgs = options.maxArgs ?? 32;
  }

  push(ev: ExecInput): ExecRecord | null {
    switch (ev.role) {
      case 'fork': {
        const child = Number(ev.fields['child_pid'] ?? -1);
        const parent = ev.tgid ?? Number(ev.fields['parent_pid'] ?? -1);
        if (child > 0 && parent > 0) {
          if (this.#parents.size >= MAX_PENDING * 10) this.#parents.clear();
          this.#parents.set(child, parent);
        }
        return null;
      }
      case 'libc': {
        const list = stringList(ev.fields['argv']);
        const filename = ev.fields['filename'];
        this.#put(ev.tid, {
          ns: ev.ns,
          filename: typeof filename === 'string' ? filename : null,
          argv: list?.items ?? null,
          truncated: list?.truncated ?? false,
          entered: false,
          execFilename: null,
          newPid: null,
        });
        return null;
      }
      case 'args': {
        const got = ev.fields['argv'];
        const list = Array.isArray(got)
          ? (got as readonly FieldValue[]).filter((a): a is string => typeof a === 'string')
          : null;
        const filename = ev.fields['filename'];
        const name = typeof filename === 'string' ? filename : null;
        const n = this.#maxArgs;
        const truncated =
          list !== null &&
          (list.length > n ||
            (list.length === n && n >= MAX_TRACEPOINT_ARGS) ||
            [name, ...list.slice(0, n)].some(cutString));
        this.#put(ev.tid, {
          ns: ev.ns,
          filename: name,
          argv: list?.slice(0, n) ?? null,
          truncated,
          entered: true,
          execFilename: null,
          newPid: null,
        });
        return null;
      }
      case 'enter': {
        const p = this.#pending.get(ev.tid);
        // A libc call not followed by its syscall long ago is stale.
        if (p && !p.entered) p.entered = true;
        else this.#put(ev.tid, blank(ev.ns, true));
        return null;
      }
      case 'exec': {
        const oldPid = Number(ev.fields['old_pid'] ?? ev.tid);
        const newPid = Number(ev.fields['pid'] ?? ev.tid);
        const p = this.#pending.get(oldPid) ?? blank(ev.ns, false);
        this.#pending.delete(oldPid);
        const filename = ev.fields['filename'];
        p.execFilename = typeof filename === 'string' ? filename : null;
        p.newPid = newPid;
        if (p.execFilename !== null) {
          if (this.#comms.size >= MAX_PENDING * 10) this.#comms.clear();
          this.#comms.set(newPid, commOf(p.execFilename));
        }
        if (!this.#haveExit) return this.#record(p, ev, newPid, 0);
        this.#put(newPid, p);
        return null;
      }
      case 'exit': {
        const p = this.#pending.get(ev.tid);
        if (!p) return null;
        this.#pending.delete(ev.tid);
        const ret = Number(ev.fields['ret'] ?? 0);
        return this.#record(p, ev, ev.tgid ?? ev.tid, ret);
      }
    }
  }

  #record(p: Pending, ev: ExecInput, pid: number, ret: number): ExecRecord {
    const ok = ret === 0;
    const filename = ok ? (p.execFilename ?? p.filename) : p.filename;
    let argv = p.argv;
    let source: ArgvSource = argv ? this.#probeSource : 'none';
    if (!argv && ok) {
      const c = this.#proc.cmdline(pid);
      if (c) {
        argv = c;
        source = 'proc';
      }
    }
    return {
      ns: ev.ns,
      comm: (ok && filename !== null ? commOf(filename) : this.#comms.get(pid)) ?? ev.comm,
      pid,
      ppid: this.#parents.get(pid) ?? this.#proc.ppid(pid),
      ret,
      filename,
      argv: argv ?? (filename === null ? [] : [filename]),
      argvSource: source,
      truncated: source === this.#probeSource && p.truncated,
    };
  }

  #put(tid: number, p: Pending): void {
    if (this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
    }
    this.#pending.delete(tid);
    this.#pending.set(tid, p);
  }
}

function blank(ns: bigint, entered: boolean): Pending {
  return {
    ns,
    filename: null,
    argv: null,
    truncated: false,
    entered,
    execFilename: null,
    newPid: null,
  };
}

/** The kernel names a task after the executed file's base name, cut to 15 bytes (TASK_COMM_LEN - 1). */
export function commOf(filename: string): string {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  return Buffer.from(base)
    .subarray(0, 15)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}
