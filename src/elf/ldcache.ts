/**
 * /etc/ld.so.cache, as written by glibc's ldconfig: the "glibc-ld.so.cache" +
 * "1.1" format, optionally behind an old "ld.so-1.7.0" table. String offsets in
 * the new format count from the start of the new header; in the old format,
 * from the end of the old entries.
 */
import { endianness } from 'node:os';
import { elfFormatError, hex } from './errors.js';

export interface LdCacheEntry {
  /** The soname, e.g. `libc.so.6`. */
  readonly key: string;
  /** The path, e.g. `/lib/x86_64-linux-gnu/libc.so.6`. */
  readonly value: string;
  /** Type in the low byte (3 = glibc ELF), ABI/arch in the next (0x03 = x86-64). */
  readonly flags: number;
}

const OLD_MAGIC = 'ld.so-1.7.0';
const NEW_MAGIC = 'glibc-ld.so.cache1.1';
const OLD_HEADER = 16; // magic[11], pad, u32 nlibs
const OLD_ENTRY = 12;
const NEW_HEADER = 48;
const NEW_ENTRY = 24;
const HINT = 'regenerate it with `ldconfig`, or give the library by path';

/**
 * The flags ldconfig gives libraries of the running architecture (glibc
 * sysdeps/generic/ldconfig.h: FLAG_ELF_LIBC6 = 3 plus an arch value << 8).
 */
export const HOST_CACHE_FLAGS = {
  x64: [0x0303],
  ia32: [0x0003],
  arm64: [0x0a03],
  arm: [0x0903, 0x0b03, 0x0003],
  riscv64: [0x1003, 0x0f03],
  s390x: [0x0403],
  ppc64: [0x0503],
  loong64: [0x1203, 0x1103],
  mips64el: [0x0703, 0x0e03],
  mips64: [0x0703, 0x0e03],
} as const satisfies Record<string, readonly number[]>;

function ascii(bytes: Uint8Array, at: number, len: number): string {
  return at + len <= bytes.length ? String.fromCharCode(...bytes.subarray(at, at + len)) : '';
}

export function parseLdCache(bytes: Uint8Array, file = '/etc/ld.so.cache'): LdCacheEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let newAt = -1;
  let old: { count: number; strings: number } | null = null;
  if (ascii(bytes, 0, OLD_MAGIC.length) === OLD_MAGIC) {
    if (bytes.length < OLD_HEADER)
      throw bad(file, `the old-format header is cut short (file size ${bytes.length})`);
    const count = view.getUint32(12, true);
    const end = OLD_HEADER + count * OLD_ENTRY;
    if (end > bytes.length)
      throw bad(
        file,
        `the old-format table of ${count} entries runs past the end (file size ${hex(bytes.length)})`,
      );
    old = { count, strings: end };
    const aligned = Math.ceil(end / 8) * 8;
    if (ascii(bytes, aligned, NEW_MAGIC.length) === NEW_MAGIC) newAt = aligned;
  } else if (ascii(bytes, 0, NEW_MAGIC.length) === NEW_MAGIC) {
    newAt = 0;
  } else {
    throw bad(file, `not an ld.so.cache: it starts with neither "${NEW_MAGIC}" nor "${OLD_MAGIC}"`);
  }
  if (newAt < 0 && old !== null) return readOld(bytes, view, file, old.count, old.strings);
  if (newAt + NEW_HEADER > bytes.length)
    throw bad(file, `the header at ${hex(newAt)} is cut short`);
  const order = bytes[newAt + 28];
  const le = order === 2 || (order !== 3 && endianness() === 'LE');
  const count = view.getUint32(newAt + 20, le);
  const tableEnd = newAt + NEW_HEADER + count * NEW_ENTRY;
  if (tableEnd > bytes.length) {
    throw bad(
      file,
      `the table of ${count} entries at ${hex(newAt + NEW_HEADER)} runs past the end (file size ${hex(bytes.length)})`,
    );
  }
  const strings = new CacheStrings(bytes, newAt, file);
  const out: LdCacheEntry[] = [];
  for (let i = 0; i < count; i++) {
    const o = newAt + NEW_HEADER + i * NEW_ENTRY;
    out.push({
      flags: view.getInt32(o, le),
      key: strings.get(view.getUint32(o + 4, le), i),
      value: strings.get(view.getUint32(o + 8, le), i),
    });
  }
  return out;
}

function readOld(
  bytes: Uint8Array,
  view: DataView,
  file: string,
  count: number,
  base: number,
): LdCacheEntry[] {
  const strings = new CacheStrings(bytes, base, file);
  const out: LdCacheEntry[] = [];
  for (let i = 0; i < count; i++) {
    const o = OLD_HEADER + i * OLD_ENTRY;
    out.push({
      flags: view.getInt32(o, true),
      key: strings.get(view.getUint32(o + 4, true), i),
      value: strings.get(view.getUint32(o + 8, true), i),
    });
  }
  return out;
}

/** NUL-terminated strings at `base + offset`, each checked, with a scan budget against overlap tricks. */
class CacheStrings {
  private budget: number;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly base: number,
    private readonly file: string,
  ) {
    this.budget = 8 * bytes.length + 4096;
  }

  get(offset: number, entry: number): string {
    const at = this.base + offset;
    if (at >= this.bytes.length)
      throw bad(this.file, `entry ${entry} has a string offset ${hex(offset)} past the end`);
    const nul = this.bytes.indexOf(0, at);
    if (nul < 0)
      throw bad(this.file, `entry ${entry} has a string at ${hex(at)} with no terminating NUL`);
    this.budget -= nul - at + 1;
    if (this.budget < 0)
      throw bad(
        this.file,
        `its strings overlap far more than ldconfig makes them (at entry ${entry})`,
      );
    return new TextDecoder().decode(this.bytes.subarray(at, nul));
  }
}

function bad(file: string, what: string): Error {
  return elfFormatError('E_ELF_BAD_LDCACHE', file, what, {}, HINT);
}
