/** Program headers (segments). */
import { lookup, SEGMENT_TYPES } from './constants.js';
import type { ElfReader } from './reader.js';
import type { ElfHeader, ElfSegment } from './types.js';

export function parseSegments(r: ElfReader, h: ElfHeader): ElfSegment[] {
  if (h.phnum === 0) return [];
  const table = r.range(
    h.phoff,
    BigInt(h.phnum) * BigInt(h.phentsize),
    `program header table (${h.phnum} entries of ${h.phentsize} bytes)`,
  );
  const out: ElfSegment[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const o = table.start + i * h.phentsize;
    const type = r.u32(o);
    const typeName = lookup(SEGMENT_TYPES, type) ?? `0x${type.toString(16)}`;
    if (r.elfClass === 64) {
      out.push({
        index: i,
        type,
        typeName,
        flags: r.u32(o + 4),
        offset: r.u64(o + 8),
        vaddr: r.u64(o + 16),
        paddr: r.u64(o + 24),
        filesz: r.u64(o + 32),
        memsz: r.u64(o + 40),
        align: r.u64(o + 48),
      });
    } else {
      out.push({
        index: i,
        type,
        typeName,
        offset: BigInt(r.u32(o + 4)),
        vaddr: BigInt(r.u32(o + 8)),
        paddr: BigInt(r.u32(o + 12)),
        filesz: BigInt(r.u32(o + 16)),
        memsz: BigInt(r.u32(o + 20)),
        flags: r.u32(o + 24),
        align: BigInt(r.u32(o + 28)),
      });
    }
  }
  return out;
}
