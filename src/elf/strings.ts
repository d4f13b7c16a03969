/**
 * String tables (.strtab, .dynstr, .shstrtab). Names are NUL-terminated inside
 * the table. Hostile tables cannot make lookups quadratic: every byte scanned
 * is charged to a budget a few times the table's size.
 */
import { elfFormatError, hex } from './errors.js';
import type { ByteRange } from './reader.js';

const decoder = new TextDecoder('utf-8');

export class StringTable {
  private readonly bytes: Uint8Array;
  private readonly range: ByteRange;
  private readonly file: string;
  private readonly what: string;
  private readonly cache = new Map<number, string>();
  private budget: number;

  /** `what` names the table for messages, e.g. `string table .dynstr (section 6)`. */
  constructor(bytes: Uint8Array, range: ByteRange, file: string, what: string) {
    this.bytes = bytes;
    this.range = range;
    this.file = file;
    this.what = what;
    this.budget = 4 * (range.end - range.start) + (1 << 20);
  }

  /** The string at `offset` in the table; `user` names who asked (e.g. `symbol 12 of .dynsym`). */
  get(offset: number, user: string): string {
    const cached = this.cache.get(offset);
    if (cached !== undefined) return cached;
    const size = this.range.end - this.range.start;
    if (offset >= size) {
      throw elfFormatError(
        'E_ELF_BAD_STRING',
        this.file,
        `${user} has name offset ${hex(offset)}, beyond the ${hex(size)} bytes of ${this.what}`,
        { nameOffset: offset, tableSize: size },
      );
    }
    const start = this.range.start + offset;
    const nul = this.bytes.subarray(start, this.range.end).indexOf(0);
    if (nul < 0) {
      throw elfFormatError(
        'E_ELF_BAD_STRING',
        this.file,
        `${user} has a name at offset ${hex(offset)} of ${this.what} with no terminating NUL`,
        { nameOffset: offset, tableSize: size },
      );
    }
    this.budget -= nul + 1;
    if (this.budget < 0) {
      throw elfFormatError(
        'E_ELF_BAD_STRING',
        this.file,
        `names in ${this.what} overlap far more than any linker makes them (scan budget exhausted at ${user})`,
        { nameOffset: offset, tableSize: size },
      );
    }
    const s = nul === 0 ? '' : decoder.decode(this.bytes.subarray(start, start + nul));
    this.cache.set(offset, s);
    return s;
  }
}
