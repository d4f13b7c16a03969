/**
 * syscount's bookkeeping (pure): syscalls by name or by process, with call
 * counts, total latency (enter paired with exit per thread) and error names.
 */
import { errnoName } from '../common/errno.js';
import { syscallName } from '../common/syscalls.js';

export interface TallyOptions {
  readonly arch: string | null;
  /** Key by process (PID COMM) instead of syscall name. */
  readonly byProcess: boolean;
  /** Count only failed calls, keyed also by error name. */
  readonly failedOnly: boolean;
  readonly latency: boolean;
}

export interface Row {
  readonly key: string;
  /** Syscall name, or the process's pid. */
  readonly name: string;
  readonly pid: number | null;
  readonly comm: string | null;
  readonly errno: string | null;
  count: number;
  totalNs: bigint;
}

export class SyscallTally {
  readonly #o: TallyOptions;
  #rows = new Map<string, Row>();
  /** Entry time per thread, for latency. */
  readonly #entered = new Map<number, { id: number; ns: bigint }>();
  unmatched = 0;

  constructor(options: TallyOptions) {
    this.#o = options;
  }

  enter(tid: number, id: number, ns: bigint): void {
    this.#entered.set(tid, { id, ns });
  }

  exit(ev: {
    tid: number;
    tgid: number;
    comm: string;
    id: number;
    ret: bigint | number;
    ns: bigint;
  }): void {
    const ret = Number(ev.ret);
    let lat = 0n;
    if (this.#o.latency) {
      const e = this.#entered.get(ev.tid);
      this.#entered.delete(ev.tid);
      if (e && e.id === ev.id) lat = ev.ns - e.ns;
      else this.unmatched++;
    }
    this.#add(ev.tgid, ev.comm, ev.id, ret, 1, lat);
  }

  /**
   * Adds `count` calls counted elsewhere (in the kernel) under one key, with
   * their total latency. With byProcess the syscall id is not used; without
   * failedOnly the return value is not.
   */
  addCounted(c: {
    tgid: number;
    comm: string;
    id: number;
    ret: bigint | number;
    count: number;
    totalNs: bigint;
  }): void {
    this.#add(c.tgid, c.comm, c.id, Number(c.ret), c.count, c.totalNs);
  }

  #add(tgid: number, comm: string, id: number, ret: number, count: number, ns: bigint): void {
    if (this.#o.failedOnly && !(ret < 0 && ret >= -4095)) return;
    const name = syscallName(this.#o.arch, id);
    const errno = this.#o.failedOnly ? errnoName(ret) : null;
    const key = this.#o.byProcess ? `${tgid}\0${errno ?? ''}` : `${name}\0${errno ?? ''}`;
    let row = this.#rows.get(key);
    if (!row) {
      row = {
        key,
        name: this.#o.byProcess ? String(tgid) : name,
        pid: this.#o.byProcess ? tgid : null,
        comm: this.#o.byProcess ? comm : null,
        errno,
        count: 0,
        totalNs: 0n,
      };
      this.#rows.set(key, row);
    }
    row.count += count;
    row.totalNs += ns;
  }

  /** Rows, largest first (by time with latency, else by count); resets when asked. */
  rows(top?: number, reset = false): Row[] {
    const all = [...this.#rows.values()].sort((a, b) =>
      this.#o.latency && a.totalNs !== b.totalNs
        ? a.totalNs > b.totalNs
          ? -1
          : 1
        : b.count - a.count,
    );
    if (reset) this.#rows = new Map();
    return top === undefined ? all : all.slice(0, top);
  }
}
