/**
 * Pairing entry and return events of the same function per thread into calls
 * with a latency. Each thread has a stack, so recursion pairs innermost first.
 * Memory is bounded: a maximum depth per thread and a maximum of open calls in
 * all; calls that never return expire after a while. Every drop is counted.
 */
import type { FieldValue, TraceEvent } from '../stream/types.js';

export interface Call {
  readonly key: string;
  readonly pid: number;
  readonly tgid: number | null;
  readonly comm: string;
  readonly entryNs: bigint;
  readonly returnNs: bigint;
  readonly latencyNs: bigint;
  readonly entryFields: Readonly<Record<string, FieldValue>>;
  /** The return event's value (`ret` field, or its only field); null when it has none. */
  readonly returnValue: FieldValue | null;
  readonly entry: TraceEvent;
  readonly exit: TraceEvent;
}

export type Side = { readonly side: 'entry' | 'return'; readonly key: string };

export interface PairingOptions {
  /** Says whether an event is an entry or a return, and of which function; null to ignore it. */
  readonly classify?: (ev: TraceEvent) => Side | null;
  readonly maxDepthPerThread?: number;
  readonly maxOpen?: number;
  /** An open call older than this (against the newest timestamp seen) expires. Default 10 s. */
  readonly expireNs?: bigint;
  /** The return event's field holding the return value. Default `ret`, else the only field. */
  readonly returnField?: string;
}

export interface PairingStats {
  paired: number;
  /** Returns with no open entry of the same function on that thread. */
  unmatchedReturns: number;
  /** Entries whose return never came and which expired. */
  expired: number;
  /** Entries dropped because a thread's stack was full. */
  droppedDepth: number;
  /** Entries dropped because too many calls were open in all. */
  droppedTotal: number;
  /** Entries above a matched one on the stack, whose returns were lost. */
  abandoned: number;
  open: number;
}

interface Open {
  readonly id: number;
  readonly key: string;
  readonly ev: TraceEvent;
}

/**
 * The default classification: probe events by address (an entry's `ip` equals
 * its return's `func`), syscall tracepoints by name (`sys_enter_X` / `sys_exit_X`).
 */
export function defaultClassify(ev: TraceEvent): Side | null {
  if (ev.func !== null) return { side: 'return', key: `0x${ev.func.toString(16)}` };
  if (ev.ip !== null) return { side: 'entry', key: `0x${ev.ip.toString(16)}` };
  if (ev.event.startsWith('sys_enter_')) return { side: 'entry', key: `sys_${ev.event.slice(10)}` };
  if (ev.event.startsWith('sys_exit_')) return { side: 'return', key: `sys_${ev.event.slice(9)}` };
  return null;
}

export class CallPairer {
  readonly #classify: (ev: TraceEvent) => Side | null;
  readonly #maxDepth: number;
  readonly #maxOpen: number;
  readonly #expireNs: bigint;
  readonly #returnField: string | undefined;
  readonly #stacks = new Map<number, Open[]>();
  /** Open calls by id, in the order they were opened (oldest first). */
  readonly #open = new Map<number, Open>();
  #nextId = 0;
  #newest = 0n;
  readonly stats: PairingStats = {
    paired: 0,
    unmatchedReturns: 0,
    expired: 0,
    droppedDepth: 0,
    droppedTotal: 0,
    abandoned: 0,
    open: 0,
  };

  constructor(options: PairingOptions = {}) {
    this.#classify = options.classify ?? defaultClassify;
    this.#maxDepth = Math.max(1, options.maxDepthPerThread ?? 64);
    this.#maxOpen = Math.max(1, options.maxOpen ?? 100_000);
    this.#expireNs = options.expireNs ?? 10_000_000_000n;
    this.#returnField = options.returnField;
  }

  /** Feeds one event; returns the completed call when it is a matched return. */
  push(ev: TraceEvent): Call | null {
    if (ev.timestampNs > this.#newest) {
      this.#newest = ev.timestampNs;
      this.expire(this.#newest - this.#expireNs);
    }
    const side = this.#classify(ev);
    if (!side) return null;
    let stack = this.#stacks.get(ev.pid);
    if (side.side === 'entry') {
      if (!stack) {
        stack = [];
        this.#stacks.set(ev.pid, stack);
      }
      if (stack.length >= this.#maxDepth) {
        const gone = stack.shift()!;
        this.#open.delete(gone.id);
        this.stats.droppedDepth++;
      }
      if (this.#open.size >= this.#maxOpen) {
        const oldest = this.#open.values().next().value as Open;
        this.#remove(oldest);
        this.stats.droppedTotal++;
      }
      const o: Open = { id: this.#nextId++, key: side.key, ev };
      stack.push(o);
      this.#open.set(o.id, o);
      this.stats.open = this.#open.size;
      return null;
    }
    let at = -1;
    if (stack) {
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i]!.key === side.key) {
          at = i;
          break;
        }
      }
    }
    if (!stack || at < 0) {
      this.stats.unmatchedReturns++;
      return null;
    }
    const above = stack.splice(at);
    const o = above[0]!;
    for (const a of above) this.#open.delete(a.id);
    this.stats.abandoned += above.length - 1;
    if (stack.length === 0) this.#stacks.delete(ev.pid);
    this.stats.paired++;
    this.stats.open = this.#open.size;
    return {
      key: side.key,
      pid: ev.pid,
      tgid: ev.tgid ?? o.ev.tgid,
      comm: o.ev.comm,
      entryNs: o.ev.timestampNs,
      returnNs: ev.timestampNs,
      latencyNs: ev.timestampNs - o.ev.timestampNs,
      entryFields: o.ev.fields,
      returnValue: this.#returnValue(ev),
      entry: o.ev,
      exit: ev,
    };
  }

  #returnValue(ev: TraceEvent): FieldValue | null {
    const name = this.#returnField ?? 'ret';
    const v = ev.fields[name];
    if (v !== undefined) return v;
    if (this.#returnField !== undefined) return null;
    const keys = Object.keys(ev.fields);
    return keys.length === 1 ? (ev.fields[keys[0]!] ?? null) : null;
  }

  #remove(o: Open): void {
    this.#open.delete(o.id);
    const stack = this.#stacks.get(o.ev.pid);
    if (!stack) return;
    const i = stack.indexOf(o);
    if (i >= 0) stack.splice(i, 1);
    if (stack.length === 0) this.#stacks.delete(o.ev.pid);
  }

  /** Expires open calls that entered before `olderThanNs`; returns how many. */
  expire(olderThanNs: bigint): number {
    let n = 0;
    for (const o of this.#open.values()) {
      if (o.ev.timestampNs >= olderThanNs) break;
      this.#remove(o);
      n++;
    }
    this.stats.expired += n;
    this.stats.open = this.#open.size;
    return n;
  }

  /** Open calls of one thread, innermost last. */
  openCalls(pid: number): readonly TraceEvent[] {
    return (this.#stacks.get(pid) ?? []).map((o) => o.ev);
  }
}

/** Pairs a whole event list; returns the calls and the stats. */
export function pairCalls(
  events: Iterable<TraceEvent>,
  options: PairingOptions = {},
): { calls: Call[]; stats: PairingStats } {
  const p = new CallPairer(options);
  const calls: Call[] = [];
  for (const ev of events) {
    const c = p.push(ev);
    if (c) calls.push(c);
  }
  return { calls, stats: p.stats };
}
