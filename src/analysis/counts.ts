/** Counting by key, with a bound on distinct keys (the rest are counted as `other`). */

export interface CountEntry<K> {
  readonly key: K;
  readonly count: number;
}

export class Counter<K = string> {
  readonly #counts = new Map<K, number>();
  readonly #maxKeys: number;
  /** Items whose key did not fit under maxKeys. */
  other = 0;
  total = 0;

  constructor(maxKeys = 100_000) {
    this.#maxKeys = Math.max(1, maxKeys);
  }

  add(key: K, n = 1): void {
    this.total += n;
    const cur = this.#counts.get(key);
    if (cur !== undefined) this.#counts.set(key, cur + n);
    else if (this.#counts.size < this.#maxKeys) this.#counts.set(key, n);
    else this.other += n;
  }

  get(key: K): number {
    return this.#counts.get(key) ?? 0;
  }

  get size(): number {
    return this.#counts.size;
  }

  /** Entries by count, largest first (ties in first-seen order); the first `n` when given. */
  top(n?: number): CountEntry<K>[] {
    const all = [...this.#counts].map(([key, count]) => ({ key, count }));
    all.sort((a, b) => b.count - a.count);
    return n === undefined ? all : all.slice(0, Math.max(0, n));
  }
}

/** Counts items by a key function. */
export function countBy<T, K>(
  items: Iterable<T>,
  key: (item: T) => K,
  maxKeys?: number,
): Counter<K> {
  const c = new Counter<K>(maxKeys);
  for (const it of items) c.add(key(it));
  return c;
}
