/** Section headers and their names (through the section-name string table). */
import { SHT } from './constants.js';
import { elfFormatError, hex } from './errors.js';
import type { ByteRange, ElfReader } from './reader.js';
import { StringTable } from './strings.js';
import type { ElfHeader, ElfSection } from './types.js';

export function parseSections(r: ElfReader, h: ElfHeader): ElfSection[] {
  if (h.shnum === 0) return [];
  const table = r.range(
    h.shoff,
    BigInt(h.shnum) * BigInt(h.shentsize),
    `section header table (${h.shnum} entries of ${h.shentsize} bytes)`,
  );
  const raw: (Omit<ElfSection, 'name'> & { nameOffset: number })[] = [];
  const is64 = r.elfClass === 64;
  for (let i = 0; i < h.shnum; i++) {
    const o = table.start + i * h.shentsize;
    raw.push({
      index: i,
      nameOffset: r.u32(o),
      type: r.u32(o + 4),
      flags: r.word(o + 8),
      addr: r.word(o + (is64 ? 16 : 12)),
      offset: r.word(o + (is64 ? 24 : 16)),
      size: r.word(o + (is64 ? 32 : 20)),
      link: r.u32(o + (is64 ? 40 : 24)),
      info: r.u32(o + (is64 ? 44 : 28)),
      addralign: r.word(o + (is64 ? 48 : 32)),
      entsize: r.word(o + (is64 ? 56 : 36)),
    });
  }
  const strSec = raw[h.shstrndx];
  if (strSec === undefined || h.shstrndx === 0) {
    // No section names: keep the sections, unnamed.
    return raw.map(({ nameOffset: _n, ...s }) => ({ ...s, name: '' }));
  }
  if (strSec.type === SHT.NOBITS) {
    throw elfFormatError(
      'E_ELF_BAD_TABLE',
      r.file,
      `the section-name table (section ${h.shstrndx}) has type NOBITS and no bytes in the file`,
    );
  }
  const names = new StringTable(
    r.bytes,
    sectionRange(r, strSec),
    r.file,
    `the section-name table (section ${h.shstrndx})`,
  );
  return raw.map(({ nameOffset, ...s }) => ({
    ...s,
    name: names.get(
      nameOffset,
      `section header ${s.index} at offset ${hex(table.start + s.index * h.shentsize)}`,
    ),
  }));
}

/** The bytes of a section, checked against the file size. */
export function sectionRange(
  r: ElfReader,
  s: Pick<ElfSection, 'index' | 'offset' | 'size'> & { name?: string },
): ByteRange {
  const label = s.name ? `section ${s.index} (${s.name})` : `section ${s.index}`;
  return r.range(s.offset, s.size, label);
}

/** `string table .dynstr (section 6)`, for messages. */
export function stringTableLabel(s: Pick<ElfSection, 'index' | 'name'>): string {
  return s.name
    ? `string table ${s.name} (section ${s.index})`
    : `string table (section ${s.index})`;
}
