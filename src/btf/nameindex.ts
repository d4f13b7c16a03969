/**
 * A name → type id hash table over the raw string bytes: building it hashes
 * each name in place (no JavaScript strings are made), so the first function
 * lookup on vmlinux costs a few milliseconds instead of decoding 56,000 names.
 * Open addressing with linear probing; FNV-1a over the UTF-8 bytes.
 */

/** Where a NUL-terminated name starts: the buffer and the offset in it. */
export type NameLocator = (nameOff: number) => { bytes: Uint8Array; start: number } | undefined;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashAt(bytes: Uint8Array, start: number): number {
  let h = FNV_OFFSET;
  for (let i = start; bytes[i] !== 0 && i < bytes.length; i++)
    h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h >>> 0;
}

function hashOf(q: Uint8Array): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < q.length; i++) h = Math.imul(h ^ q[i]!, FNV_PRIME);
  return h >>> 0;
}

/** Whether the NUL-terminated name at `start` equals `q`. */
function sameName(bytes: Uint8Array, start: number, q: Uint8Array): boolean {
  if (start + q.length >= bytes.length || bytes[start + q.length] !== 0) return false;
  for (let i = 0; i < q.length; i++) if (bytes[start + i] !== q[i]) return false;
  return true;
}

const encoder = new TextEncoder();

export class NameIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;

  /** `ids[i]` is named by string offset `nameOffs[i]`; the first id wins for a repeated name. */
  constructor(
    private readonly ids: Int32Array,
    private readonly nameOffs: Uint32Array,
    private readonly locate: NameLocator,
  ) {
    let cap = 16;
    while (cap < ids.length * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap).fill(-1);
    for (let j = 0; j < ids.length; j++) {
      const loc = locate(nameOffs[j]!);
      if (!loc) continue;
      let i = hashAt(loc.bytes, loc.start) & this.mask;
      let duplicate = false;
      for (let s = this.slots[i]!; s !== -1; s = this.slots[i]!) {
        if (this.equal(s, loc.bytes, loc.start)) {
          duplicate = true;
          break;
        }
        i = (i + 1) & this.mask;
      }
      if (!duplicate) this.slots[i] = j;
    }
  }

  private equal(entry: number, bytes: Uint8Array, start: number): boolean {
    const other = this.locate(this.nameOffs[entry]!);
    if (!other) return false;
    let a = start;
    let b = other.start;
    for (;;) {
      const x = bytes[a++];
      if (x !== other.bytes[b++]) return false;
      if (x === 0 || x === undefined) return true;
    }
  }

  get(name: string): number | undefined {
    const q = encoder.encode(name);
    let i = hashOf(q) & this.mask;
    for (let s = this.slots[i]!; s !== -1; s = this.slots[i]!) {
      const loc = this.locate(this.nameOffs[s]!);
      if (loc && sameName(loc.bytes, loc.start, q)) return this.ids[s];
      i = (i + 1) & this.mask;
    }
    return undefined;
  }
}
