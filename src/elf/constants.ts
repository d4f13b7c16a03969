/** ELF numbers (from the System V gABI and the GNU extensions), as data. */
import type { ArchName } from '../arch/types.js';
import type { ElfSymbolBinding, ElfSymbolType, ElfType } from './types.js';

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;

/** e_type */
export const ELF_TYPES = {
  0: 'NONE',
  1: 'REL',
  2: 'EXEC',
  3: 'DYN',
  4: 'CORE',
} as const satisfies Record<number, ElfType>;

interface MachineInfo {
  readonly name: string;
  /** Our arch for a 32-bit file of this machine, or null. */
  readonly arch32: ArchName | null;
  /** Our arch for a 64-bit little-endian file, or null. */
  readonly arch64le: ArchName | null;
  /** Our arch for a 64-bit big-endian file, or null. */
  readonly arch64be: ArchName | null;
}

/** e_machine → name and our arch names (src/arch/types.ts). */
export const ELF_MACHINES = {
  3: { name: 'EM_386', arch32: 'i386', arch64le: null, arch64be: null },
  8: { name: 'EM_MIPS', arch32: null, arch64le: 'mips64', arch64be: 'mips64' },
  20: { name: 'EM_PPC', arch32: null, arch64le: null, arch64be: null },
  21: { name: 'EM_PPC64', arch32: null, arch64le: 'powerpc64le', arch64be: 'powerpc64' },
  22: { name: 'EM_S390', arch32: null, arch64le: null, arch64be: 's390x' },
  40: { name: 'EM_ARM', arch32: 'arm', arch64le: null, arch64be: null },
  62: { name: 'EM_X86_64', arch32: null, arch64le: 'x86_64', arch64be: null },
  183: { name: 'EM_AARCH64', arch32: null, arch64le: 'arm64', arch64be: 'arm64' },
  243: { name: 'EM_RISCV', arch32: null, arch64le: 'riscv64', arch64be: null },
  258: { name: 'EM_LOONGARCH', arch32: null, arch64le: 'loongarch64', arch64be: null },
} as const satisfies Record<number, MachineInfo>;

export const EM_ARM = 40;

/** st_info & 0xf */
export const SYMBOL_TYPES = {
  0: 'NOTYPE',
  1: 'OBJECT',
  2: 'FUNC',
  3: 'SECTION',
  4: 'FILE',
  5: 'COMMON',
  6: 'TLS',
  10: 'IFUNC',
} as const satisfies Record<number, ElfSymbolType>;

/** st_info >> 4 */
export const SYMBOL_BINDINGS = {
  0: 'LOCAL',
  1: 'GLOBAL',
  2: 'WEAK',
  10: 'UNIQUE',
} as const satisfies Record<number, ElfSymbolBinding>;

/** sh_type values we look at. */
export const SHT = {
  NULL: 0,
  SYMTAB: 2,
  STRTAB: 3,
  NOTE: 7,
  NOBITS: 8,
  DYNSYM: 11,
  GNU_VERDEF: 0x6ffffffd,
  GNU_VERNEED: 0x6ffffffe,
  GNU_VERSYM: 0x6fffffff,
} as const satisfies Record<string, number>;

/** p_type names. */
export const SEGMENT_TYPES = {
  0: 'NULL',
  1: 'LOAD',
  2: 'DYNAMIC',
  3: 'INTERP',
  4: 'NOTE',
  5: 'SHLIB',
  6: 'PHDR',
  7: 'TLS',
  1685382480: 'GNU_EH_FRAME',
  1685382481: 'GNU_STACK',
  1685382482: 'GNU_RELRO',
  1685382483: 'GNU_PROPERTY',
} as const satisfies Record<number, string>;

export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const PF_X = 1;

/** Special section indexes. */
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_XINDEX = 0xffff;
/** e_phnum value meaning "the real count is in section 0's sh_info". */
export const PN_XNUM = 0xffff;

/** GNU note type of the build-id. */
export const NT_GNU_BUILD_ID = 3;

/** Sizes of the fixed structures, by class. */
export const LAYOUT = {
  32: { ehdr: 52, shdr: 40, phdr: 32, sym: 16 },
  64: { ehdr: 64, shdr: 64, phdr: 56, sym: 24 },
} as const satisfies Record<32 | 64, { ehdr: number; shdr: number; phdr: number; sym: number }>;

export function lookup<T>(table: Readonly<Record<number, T>>, key: number): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
