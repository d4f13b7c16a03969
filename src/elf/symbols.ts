/** Symbol tables (.symtab and .dynsym), decoded on first use. */
import { EM_ARM, LAYOUT, lookup, SHT, SYMBOL_BINDINGS, SYMBOL_TYPES } from './constants.js';
import { elfFormatError, hex } from './errors.js';
import type { ElfReader } from './reader.js';
import { sectionRange, stringTableLabel } from './sections.js';
import { StringTable } from './strings.js';
import type { ElfHeader, ElfSection, ElfSymbol, ElfSymbolTable } from './types.js';
import { parseVersions } from './versions.js';

/** Decodes every entry of one symbol table section (entry 0, the null symbol, is skipped). */
export function parseSymbolTable(
  r: ElfReader,
  h: ElfHeader,
  sections: readonly ElfSection[],
  sec: ElfSection,
): ElfSymbol[] {
  const table: ElfSymbolTable = sec.type === SHT.DYNSYM ? 'dynsym' : 'symtab';
  const label = `section ${sec.index} (${sec.name || `.${table}`})`;
  const symSize = LAYOUT[r.elfClass].sym;
  const entsize = sec.entsize === 0n ? BigInt(symSize) : sec.entsize;
  if (entsize < BigInt(symSize) || entsize > 0x10000n) {
    throw elfFormatError(
      'E_ELF_BAD_TABLE',
      r.file,
      `${label} has entry size ${sec.entsize}, but an ELF${r.elfClass} symbol is ${symSize} bytes`,
    );
  }
  const strSec = sections[sec.link];
  if (strSec === undefined || strSec.type !== SHT.STRTAB) {
    throw elfFormatError(
      'E_ELF_BAD_TABLE',
      r.file,
      `${label} links to section ${sec.link} for its names, which is not a string table`,
    );
  }
  const range = sectionRange(r, sec);
  const stride = Number(entsize);
  const count = Math.floor((range.end - range.start) / stride);
  const names = new StringTable(r.bytes, sectionRange(r, strSec), r.file, stringTableLabel(strSec));
  const versionOf = table === 'dynsym' ? parseVersions(r, sections, sec) : null;
  const thumb = h.machine === EM_ARM;
  const is64 = r.elfClass === 64;
  const out: ElfSymbol[] = [];
  for (let i = 1; i < count; i++) {
    const o = range.start + i * stride;
    const nameOff = r.u32(o);
    let value: bigint;
    let size: bigint;
    let info: number;
    let other: number;
    let shndx: number;
    if (is64) {
      info = r.u8(o + 4);
      other = r.u8(o + 5);
      shndx = r.u16(o + 6);
      value = r.u64(o + 8);
      size = r.u64(o + 16);
    } else {
      value = BigInt(r.u32(o + 4));
      size = BigInt(r.u32(o + 8));
      info = r.u8(o + 12);
      other = r.u8(o + 13);
      shndx = r.u16(o + 14);
    }
    const typeCode = info & 0xf;
    const bindingCode = info >> 4;
    const type = lookup(SYMBOL_TYPES, typeCode) ?? 'OTHER';
    if (thumb && (type === 'FUNC' || type === 'IFUNC')) value &= ~1n;
    let name = names.get(nameOff, `symbol ${i} of ${label} at offset ${hex(o)}`);
    let v = versionOf?.(i) ?? null;
    // The linker keeps `.symver` names in .symtab as `name@VER` / `name@@VER`.
    const at = versionOf === null ? name.indexOf('@') : -1;
    if (at > 0) {
      const dflt = name[at + 1] === '@';
      v = { name: name.slice(at + (dflt ? 2 : 1)), hidden: !dflt };
      name = name.slice(0, at);
    }
    const versionDefault = v !== null && !v.hidden && shndx !== 0;
    const displayName = v === null ? name : `${name}${versionDefault ? '@@' : '@'}${v.name}`;
    out.push({
      name,
      version: v?.name ?? null,
      versionDefault,
      displayName,
      value,
      size,
      type,
      typeCode,
      binding: lookup(SYMBOL_BINDINGS, bindingCode) ?? 'OTHER',
      bindingCode,
      visibility: other & 3,
      shndx,
      table,
      index: i,
    });
  }
  return out;
}
