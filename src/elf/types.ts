/** Public shapes of a parsed ELF file. Addresses, offsets and sizes from the file are bigint. */
import type { ArchName } from '../arch/types.js';

export type ElfClass = 32 | 64;
export type ElfEndian = 'little' | 'big';
export type ElfType = 'NONE' | 'REL' | 'EXEC' | 'DYN' | 'CORE' | 'OTHER';

export interface ElfHeader {
  readonly elfClass: ElfClass;
  readonly endian: ElfEndian;
  readonly osabi: number;
  readonly type: ElfType;
  /** The raw e_type, for types outside the table. */
  readonly typeCode: number;
  readonly machine: number;
  /** A readable machine name, e.g. `EM_X86_64`, or `EM_<number>`. */
  readonly machineName: string;
  /** Our architecture name, or null for a machine probekit has no tables for. */
  readonly arch: ArchName | null;
  readonly entry: bigint;
  readonly phoff: bigint;
  readonly shoff: bigint;
  readonly flags: number;
  readonly ehsize: number;
  readonly phentsize: number;
  /** The real count (PN_XNUM resolved through section 0). */
  readonly phnum: number;
  readonly shentsize: number;
  /** The real count (0 with a section table resolved through section 0). */
  readonly shnum: number;
  /** The real index (SHN_XINDEX resolved through section 0). */
  readonly shstrndx: number;
}

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: bigint;
  readonly size: bigint;
  readonly link: number;
  readonly info: number;
  readonly addralign: bigint;
  readonly entsize: bigint;
}

export interface ElfSegment {
  readonly index: number;
  readonly type: number;
  /** `LOAD`, `DYNAMIC`, `NOTE`, ... or `0x<type>`. */
  readonly typeName: string;
  /** PF_X = 1, PF_W = 2, PF_R = 4. */
  readonly flags: number;
  readonly offset: bigint;
  readonly vaddr: bigint;
  readonly paddr: bigint;
  readonly filesz: bigint;
  readonly memsz: bigint;
  readonly align: bigint;
}

export type ElfSymbolType =
  | 'NOTYPE'
  | 'OBJECT'
  | 'FUNC'
  | 'SECTION'
  | 'FILE'
  | 'COMMON'
  | 'TLS'
  | 'IFUNC'
  | 'OTHER';
export type ElfSymbolBinding = 'LOCAL' | 'GLOBAL' | 'WEAK' | 'UNIQUE' | 'OTHER';
export type ElfSymbolTable = 'symtab' | 'dynsym';

export interface ElfSymbol {
  /** The plain name, e.g. `malloc`. */
  readonly name: string;
  /** The GNU symbol version (`GLIBC_2.2.5`), or null. */
  readonly version: string | null;
  /** True for the default version (`name@@VER`); false for hidden or needed ones (`name@VER`). */
  readonly versionDefault: boolean;
  /** `malloc@@GLIBC_2.2.5`, `memcpy@GLIBC_2.2.5` or just the name. */
  readonly displayName: string;
  /** st_value; on 32-bit ARM the Thumb bit of a function is cleared. */
  readonly value: bigint;
  readonly size: bigint;
  readonly type: ElfSymbolType;
  readonly typeCode: number;
  readonly binding: ElfSymbolBinding;
  readonly bindingCode: number;
  /** st_other & 3: 0 default, 1 internal, 2 hidden, 3 protected. */
  readonly visibility: number;
  /** st_shndx: 0 = undefined (imported), 0xfff1 = absolute. */
  readonly shndx: number;
  readonly table: ElfSymbolTable;
  /** Index in its table. */
  readonly index: number;
}
