/** The ELF file header (e_ident and Elf32_Ehdr/Elf64_Ehdr). */

import type { ProbekitError } from '../errors.js';
import {
  ELF_MACHINES,
  ELF_MAGIC,
  ELF_TYPES,
  LAYOUT,
  lookup,
  PN_XNUM,
  SHN_XINDEX,
} from './constants.js';
import { elfFormatError, hex } from './errors.js';
import { ElfReader } from './reader.js';
import type { ElfClass, ElfEndian, ElfHeader } from './types.js';

const EI_CLASS = 4;
const EI_DATA = 5;
const EI_VERSION = 6;
const EI_OSABI = 7;
const EI_NIDENT = 16;

/** Checks the identification bytes and returns a reader with the file's class and byte order. */
export function openReader(bytes: Uint8Array, file: string): ElfReader {
  const head = bytes.subarray(0, ELF_MAGIC.length);
  if (head.length === 0 || !head.every((b, i) => b === ELF_MAGIC[i])) throw notElfError(file, head);
  if (bytes.byteLength < EI_NIDENT) {
    throw elfFormatError(
      'E_ELF_TRUNCATED',
      file,
      `the file is ${bytes.byteLength} bytes long, too short for the 16-byte ELF identification`,
      { fileSize: bytes.byteLength },
    );
  }
  const cls = bytes[EI_CLASS];
  const data = bytes[EI_DATA];
  if (cls !== 1 && cls !== 2) {
    throw elfFormatError(
      'E_ELF_UNSUPPORTED',
      file,
      `unknown ELF class ${cls} at offset 0x4 (expected 1 for ELF32 or 2 for ELF64)`,
    );
  }
  if (data !== 1 && data !== 2) {
    throw elfFormatError(
      'E_ELF_UNSUPPORTED',
      file,
      `unknown ELF byte order ${data} at offset 0x5 (expected 1 little or 2 big endian)`,
    );
  }
  if (bytes[EI_VERSION] !== 1) {
    throw elfFormatError(
      'E_ELF_UNSUPPORTED',
      file,
      `unknown ELF version ${bytes[EI_VERSION]} at offset 0x6 (expected 1)`,
    );
  }
  const elfClass: ElfClass = cls === 1 ? 32 : 64;
  const endian: ElfEndian = data === 1 ? 'little' : 'big';
  return new ElfReader(bytes, endian, elfClass, file);
}

/** The error for a file that does not start with the ELF magic; `head` is its first bytes. */
export function notElfError(file: string, head: Uint8Array): ProbekitError {
  if (head.length === 0) {
    return elfFormatError(
      'E_ELF_NOT_ELF',
      file,
      'not an ELF file: the file is empty',
      {},
      notElfHint(),
    );
  }
  const seen = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return elfFormatError(
    'E_ELF_NOT_ELF',
    file,
    `not an ELF file: it starts with bytes ${seen}, not 7f 45 4c 46 ("\\x7fELF")`,
    {},
    notElfHint(),
  );
}

function notElfHint(): string {
  return 'give the path of an ELF executable or shared library (scripts and text files cannot be probed by symbol)';
}

export function parseHeader(r: ElfReader): ElfHeader {
  const lay = LAYOUT[r.elfClass];
  r.need(0, lay.ehdr, `ELF${r.elfClass} file header`);
  const is64 = r.elfClass === 64;
  const typeCode = r.u16(16);
  const machine = r.u16(18);
  const entry = r.word(24);
  const phoff = r.word(is64 ? 32 : 28);
  const shoff = r.word(is64 ? 40 : 32);
  const o = is64 ? 48 : 36;
  const flags = r.u32(o);
  const ehsize = r.u16(o + 4);
  const phentsize = r.u16(o + 6);
  let phnum = r.u16(o + 8);
  const shentsize = r.u16(o + 10);
  let shnum = r.u16(o + 12);
  let shstrndx = r.u16(o + 14);

  // Extended numbering: the real counts live in section header 0.
  if (shoff !== 0n && (shnum === 0 || phnum === PN_XNUM || shstrndx === SHN_XINDEX)) {
    checkEntSize(r, 'e_shentsize', shentsize, lay.shdr, o + 10);
    const s0 = r.range(shoff, BigInt(lay.shdr), 'section header 0 (extended numbering)').start;
    if (shnum === 0) {
      const size = r.word(s0 + (is64 ? 32 : 20));
      shnum = size > 0xffffffn ? 0xffffff + 1 : Number(size);
    }
    if (phnum === PN_XNUM) phnum = r.u32(s0 + (is64 ? 44 : 28));
    if (shstrndx === SHN_XINDEX) shstrndx = r.u32(s0 + (is64 ? 40 : 24));
  }
  if (shoff === 0n) shnum = 0;
  if (phoff === 0n) phnum = 0;
  if (shnum > 0) checkEntSize(r, 'e_shentsize', shentsize, lay.shdr, o + 10);
  if (phnum > 0) checkEntSize(r, 'e_phentsize', phentsize, lay.phdr, o + 6);
  if (shnum > 0 && shstrndx >= shnum) {
    throw elfFormatError(
      'E_ELF_BAD_HEADER',
      r.file,
      `e_shstrndx ${shstrndx} at offset ${hex(o + 14)} is not a section index (the file has ${shnum} sections)`,
    );
  }
  const m = lookup(ELF_MACHINES, machine);
  const arch =
    m === undefined ? null : r.elfClass === 32 ? m.arch32 : r.le ? m.arch64le : m.arch64be;
  return {
    elfClass: r.elfClass,
    endian: r.le ? 'little' : 'big',
    osabi: r.u8(EI_OSABI),
    type: lookup(ELF_TYPES, typeCode) ?? 'OTHER',
    typeCode,
    machine,
    machineName: m?.name ?? `EM_${machine}`,
    arch,
    entry,
    phoff,
    shoff,
    flags,
    ehsize,
    phentsize,
    phnum,
    shentsize,
    shnum,
    shstrndx,
  };
}

function checkEntSize(r: ElfReader, field: string, got: number, min: number, at: number): void {
  if (got < min) {
    throw elfFormatError(
      'E_ELF_BAD_HEADER',
      r.file,
      `${field} at offset ${hex(at)} is ${got}, smaller than the ${min} bytes of an ELF${r.elfClass} entry`,
    );
  }
}
