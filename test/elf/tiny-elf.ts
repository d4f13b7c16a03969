/**
 * A tiny ELF writer for fixtures in any class and byte order, written from the
 * gABI independently of src/elf: one executable PT_LOAD holding .text, plus
 * .symtab, .strtab and .shstrtab.
 */
export interface TinyFunction {
  readonly name: string;
  /** Offset inside .text. */
  readonly at: number;
  readonly size: number;
}

export interface TinyElfOptions {
  readonly elfClass: 32 | 64;
  readonly endian: 'little' | 'big';
  readonly machine: number;
  /** ET_EXEC = 2, ET_DYN = 3. */
  readonly type?: number;
  /** Virtual address of the PT_LOAD (which starts at file offset 0). */
  readonly base: bigint;
  readonly functions: readonly TinyFunction[];
  /** A data object in .text's segment, to test "not a function". */
  readonly object?: TinyFunction;
}

export const TEXT_OFFSET = 0x200;
export const TEXT_SIZE = 0x100;

export function tinyElf(o: TinyElfOptions): Uint8Array {
  const is64 = o.elfClass === 64;
  const le = o.endian === 'little';
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const symsize = is64 ? 24 : 16;

  const strtab: number[] = [0];
  const addStr = (s: string): number => {
    const at = strtab.length;
    for (const c of Buffer.from(s)) strtab.push(c);
    strtab.push(0);
    return at;
  };
  const shstr: number[] = [0];
  const addShstr = (s: string): number => {
    const at = shstr.length;
    for (const c of Buffer.from(s)) shstr.push(c);
    shstr.push(0);
    return at;
  };
  const syms = [
    ...o.functions.map((f) => ({ ...f, info: 0x12 })), // GLOBAL FUNC
    ...(o.object ? [{ ...o.object, info: 0x11 }] : []), // GLOBAL OBJECT
  ].map((s) => ({ ...s, nameOff: addStr(s.name) }));
  const names = ['.text', '.symtab', '.strtab', '.shstrtab'].map(addShstr);

  const symtabOff = TEXT_OFFSET + TEXT_SIZE;
  const symtabSize = (syms.length + 1) * symsize;
  const strtabOff = symtabOff + symtabSize;
  const shstrOff = strtabOff + strtab.length;
  const shOff = Math.ceil((shstrOff + shstr.length) / 8) * 8;
  const total = shOff + 5 * shentsize;
  const buf = new Uint8Array(total);
  const v = new DataView(buf.buffer);
  const u16 = (at: number, x: number) => v.setUint16(at, x, le);
  const u32 = (at: number, x: number) => v.setUint32(at, x, le);
  const word = (at: number, x: bigint) =>
    is64 ? v.setBigUint64(at, x, le) : v.setUint32(at, Number(x), le);

  buf.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1]);
  u16(16, o.type ?? 2);
  u16(18, o.machine);
  u32(20, 1);
  word(24, o.base + BigInt(TEXT_OFFSET));
  word(is64 ? 32 : 28, BigInt(ehsize)); // e_phoff
  word(is64 ? 40 : 32, BigInt(shOff)); // e_shoff
  const e = is64 ? 52 : 40;
  u16(e, ehsize);
  u16(e + 2, phentsize);
  u16(e + 4, 1);
  u16(e + 6, shentsize);
  u16(e + 8, 5);
  u16(e + 10, 4);

  // PT_LOAD R+X from file offset 0 over the headers and .text.
  const p = ehsize;
  const segSize = BigInt(TEXT_OFFSET + TEXT_SIZE);
  u32(p, 1);
  if (is64) {
    u32(p + 4, 5);
    word(p + 8, 0n);
    word(p + 16, o.base);
    word(p + 24, o.base);
    word(p + 32, segSize);
    word(p + 40, segSize);
    word(p + 48, 0x1000n);
  } else {
    u32(p + 4, 0);
    u32(p + 8, Number(o.base));
    u32(p + 12, Number(o.base));
    u32(p + 16, Number(segSize));
    u32(p + 20, Number(segSize));
    u32(p + 24, 5);
    u32(p + 28, 0x1000);
  }

  syms.forEach((s, i) => {
    const at = symtabOff + (i + 1) * symsize;
    const value = o.base + BigInt(TEXT_OFFSET + s.at);
    u32(at, s.nameOff);
    if (is64) {
      buf[at + 4] = s.info;
      u16(at + 6, 1);
      word(at + 8, value);
      word(at + 16, BigInt(s.size));
    } else {
      u32(at + 4, Number(value));
      u32(at + 8, s.size);
      buf[at + 12] = s.info;
      u16(at + 14, 1);
    }
  });
  buf.set(strtab, strtabOff);
  buf.set(shstr, shstrOff);

  const sh = (
    i: number,
    name: number,
    type: number,
    flags: bigint,
    addr: bigint,
    off: number,
    size: number,
    link: number,
    entsize: number,
  ) => {
    const at = shOff + i * shentsize;
    u32(at, name);
    u32(at + 4, type);
    if (is64) {
      word(at + 8, flags);
      word(at + 16, addr);
      word(at + 24, BigInt(off));
      word(at + 32, BigInt(size));
      u32(at + 40, link);
      u32(at + 44, type === 2 ? 1 : 0);
      word(at + 48, 1n);
      word(at + 56, BigInt(entsize));
    } else {
      u32(at + 8, Number(flags));
      u32(at + 12, Number(addr));
      u32(at + 16, off);
      u32(at + 20, size);
      u32(at + 24, link);
      u32(at + 28, type === 2 ? 1 : 0);
      u32(at + 32, 1);
      u32(at + 36, entsize);
    }
  };
  sh(1, names[0]!, 1, 6n, o.base + BigInt(TEXT_OFFSET), TEXT_OFFSET, TEXT_SIZE, 0, 0);
  sh(2, names[1]!, 2, 0n, 0n, symtabOff, symtabSize, 3, symsize);
  sh(3, names[2]!, 3, 0n, 0n, strtabOff, strtab.length, 0, 0);
  sh(4, names[3]!, 3, 0n, 0n, shstrOff, shstr.length, 0, 0);
  return buf;
}
