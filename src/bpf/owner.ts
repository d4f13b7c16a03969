/** Owns closable kernel objects and releases them in reverse order of creation. */
export interface Closable {
  close(): void;
}

export class Owner implements Closable {
  #items: Closable[] = [];
  #closed = false;

  /** Take ownership; returns the item for chaining. */
  add<T extends Closable>(item: T): T {
    this.#items.push(item);
    return item;
  }

  /** Close everything; later errors do not stop earlier objects from closing. The first error is rethrown. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    let first: unknown;
    for (const item of this.#items.reverse()) {
      try {
        item.close();
      } catch (e) {
        first ??= e;
      }
    }
    this.#items = [];
    if (first !== undefined) throw first;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
