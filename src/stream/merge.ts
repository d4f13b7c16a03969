/**
 * Merging per-CPU streams into one in timestamp order. Each CPU's stream is in
 * order on its own; items wait in a bounded window (by count and/or by time) and
 * the oldest is released once the window is full. Items without a timestamp
 * (lost, decode errors) keep their place after the last event of their source.
 */
import type { StreamItem } from './types.js';

export interface MergeOptions {
  /** Release the oldest item when more than this many wait (default 4096). */
  readonly windowCount?: number;
  /** Release items older than the newest seen minus this many nanoseconds. */
  readonly windowNs?: bigint;
}

interface Pending {
  readonly key: bigint;
  readonly seq: number;
  readonly item: StreamItem;
}

function before(a: Pending, b: Pending): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}

/** A binary min-heap on (timestamp, arrival). */
class Heap {
  readonly items: Pending[] = [];
  push(p: Pending): void {
    const a = this.items;
    a.push(p);
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!before(a[i]!, a[up]!)) break;
      [a[i], a[up]] = [a[up]!, a[i]!];
      i = up;
    }
  }
  peek(): Pending | undefined {
    return this.items[0];
  }
  pop(): Pending | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
  get size(): number {
    return this.items.length;
  }
}

export class StreamMerger {
  readonly #heap = new Heap();
  readonly #lastKey = new Map<number | string, bigint>();
  readonly #windowCount: number;
  readonly #windowNs: bigint | null;
  #seq = 0;
  #newest = -1n;
  #released = -1n;
  /** Events that arrived older than something already released (still emitted, counted). */
  outOfOrder = 0;

  constructor(options: MergeOptions = {}) {
    this.#windowCount = Math.max(1, options.windowCount ?? 4096);
    this.#windowNs = options.windowNs ?? null;
  }

  /** Adds items of one source (a CPU number by default) and returns the items now released. */
  push(items: Iterable<StreamItem>, source?: number | string): StreamItem[] {
    const out: StreamItem[] = [];
    for (const item of items) {
      const src = source ?? item.cpu ?? -1;
      let key: bigint;
      if (item.type === 'event') {
        key = item.timestampNs;
        this.#lastKey.set(src, key);
        if (key > this.#newest) this.#newest = key;
        if (key < this.#released) this.outOfOrder++;
      } else {
        key = this.#lastKey.get(src) ?? this.#released;
      }
      this.#heap.push({ key, seq: this.#seq++, item });
      this.#drain(out);
    }
    return out;
  }

  #drain(out: StreamItem[]): void {
    const ns = this.#windowNs;
    for (;;) {
      const top = this.#heap.peek();
      if (!top) return;
      const full = this.#heap.size > this.#windowCount;
      const old = ns !== null && this.#newest - top.key > ns;
      if (!full && !old) return;
      this.#emit(out);
    }
  }

  #emit(out: StreamItem[]): void {
    const p = this.#heap.pop();
    if (!p) return;
    if (p.key > this.#released) this.#released = p.key;
    out.push(p.item);
  }

  /** Releases everything still waiting, in order. */
  flush(): StreamItem[] {
    const out: StreamItem[] = [];
    while (this.#heap.size > 0) this.#emit(out);
    return out;
  }

  get pending(): number {
    return this.#heap.size;
  }
}

/** Merges whole per-source streams offline (unbounded window). */
export function mergeStreams(streams: Iterable<readonly StreamItem[]>): StreamItem[] {
  const m = new StreamMerger({ windowCount: Number.MAX_SAFE_INTEGER });
  let i = 0;
  for (const s of streams) m.push(s, `s${i++}`);
  return m.flush();
}
