/**
 * Virtual address → file offset, the number uprobes take (kernel-interfaces.md
 * §1.2): `vaddr - p_vaddr + p_offset` of the executable PT_LOAD segment holding it.
 */

import { PF_X, PT_LOAD } from './constants.js';
import { elfUsageError, hex } from './errors.js';
import type { ElfFile } from './file.js';
import type { ElfSegment } from './types.js';

/** The executable PT_LOAD segment whose file bytes hold `vaddr`, or undefined. */
export function executableSegmentFor(elf: ElfFile, vaddr: bigint): ElfSegment | undefined {
  return elf.segments.find(
    (p) =>
      p.type === PT_LOAD &&
      (p.flags & PF_X) !== 0 &&
      vaddr >= p.vaddr &&
      vaddr - p.vaddr < p.filesz,
  );
}

export function symbolFileOffset(elf: ElfFile, vaddr: bigint): bigint {
  const seg = executableSegmentFor(elf, vaddr);
  if (seg === undefined) {
    const loads = elf.segments.filter((p) => p.type === PT_LOAD);
    const holder = loads.find((p) => vaddr >= p.vaddr && vaddr - p.vaddr < p.memsz);
    const why =
      loads.length === 0
        ? `it has no loadable segments${elf.header.type === 'REL' ? ' (it is a relocatable object: link it first)' : ''}`
        : holder !== undefined
          ? `it lies in segment ${holder.index} (${hex(holder.vaddr)}..${hex(holder.vaddr + holder.memsz)}), which is ${
              (holder.flags & PF_X) === 0 ? 'not executable' : 'beyond the bytes stored in the file'
            }`
          : `no loadable segment covers it (${loads.map((p) => `${hex(p.vaddr)}..${hex(p.vaddr + p.memsz)}`).join(', ')})`;
    throw elfUsageError(
      'E_ELF_NO_SEGMENT',
      `${elf.name}: address ${hex(vaddr)} is not in executable code: ${why}`,
      'uprobes can only be placed on code; check the address with `readelf -lW` and `nm`',
      { file: elf.name, vaddr: hex(vaddr) },
    );
  }
  const off = vaddr - seg.vaddr + seg.offset;
  if (off >= BigInt(elf.bytes.byteLength)) {
    throw elfUsageError(
      'E_ELF_NO_SEGMENT',
      `${elf.name}: address ${hex(vaddr)} maps to file offset ${hex(off)}, past the end of the file (size ${hex(elf.bytes.byteLength)})`,
      'the file looks truncated; probe the complete binary',
      { file: elf.name, vaddr: hex(vaddr), fileOffset: hex(off) },
    );
  }
  return off;
}

/** The reverse: the virtual address of a file offset inside executable code, or undefined. */
export function fileOffsetToVaddr(elf: ElfFile, offset: bigint): bigint | undefined {
  const seg = elf.segments.find(
    (p) =>
      p.type === PT_LOAD &&
      (p.flags & PF_X) !== 0 &&
      offset >= p.offset &&
      offset - p.offset < p.filesz,
  );
  return seg === undefined ? undefined : offset - seg.offset + seg.vaddr;
}
