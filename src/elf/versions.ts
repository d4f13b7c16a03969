/**
 * GNU symbol versioning: .gnu.version (one u16 per .dynsym entry), with the
 * names in .gnu.version_d (versions this file defines) and .gnu.version_r
 * (versions it needs from other files). Same layout in ELF32 and ELF64.
 */
import { SHT } from './constants.js';
import { elfFormatError, hex } from './errors.js';
import type { ElfReader } from './reader.js';
import { sectionRange, stringTableLabel } from './sections.js';
import { StringTable } from './strings.js';
import type { ElfSection } from './types.js';

const VERSYM_HIDDEN = 0x8000;
const VERDEF_SIZE = 20;
const VERDAUX_SIZE = 8;
const VERNEED_SIZE = 16;
const VERNAUX_SIZE = 16;

export interface SymbolVersion {
  readonly name: string;
  readonly hidden: boolean;
}

/** Looks up the version of .dynsym entry `i`; null when the entry is unversioned. */
export type VersionLookup = (i: number) => SymbolVersion | null;

export function parseVersions(
  r: ElfReader,
  sections: readonly ElfSection[],
  dynsym: ElfSection,
): VersionLookup | null {
  const versym = sections.find((s) => s.type === SHT.GNU_VERSYM && s.link === dynsym.index);
  if (versym === undefined) return null;
  const names = new Map<number, string>();
  // One table of each kind, as the linker writes them.
  const verdef = sections.find((s) => s.type === SHT.GNU_VERDEF);
  const verneed = sections.find((s) => s.type === SHT.GNU_VERNEED);
  if (verdef !== undefined) readVerdef(r, sections, verdef, names);
  if (verneed !== undefined) readVerneed(r, sections, verneed, names);
  const range = sectionRange(r, versym);
  const count = Math.floor((range.end - range.start) / 2);
  return (i) => {
    if (i >= count) return null;
    const raw = r.u16(range.start + 2 * i);
    const ndx = raw & 0x7fff;
    if (ndx <= 1) return null;
    const name = names.get(ndx);
    if (name === undefined) {
      throw elfFormatError(
        'E_ELF_BAD_TABLE',
        r.file,
        `.dynsym entry ${i} has version index ${ndx} (in ${versym.name || 'the version table'} at offset ${hex(range.start + 2 * i)}), which no version definition or requirement declares`,
      );
    }
    return { name, hidden: (raw & VERSYM_HIDDEN) !== 0 };
  };
}

function linkedStrings(r: ElfReader, sections: readonly ElfSection[], s: ElfSection): StringTable {
  const str = sections[s.link];
  if (str === undefined || str.type !== SHT.STRTAB) {
    throw elfFormatError(
      'E_ELF_BAD_TABLE',
      r.file,
      `section ${s.index} (${s.name}) links to section ${s.link}, which is not a string table`,
    );
  }
  return new StringTable(r.bytes, sectionRange(r, str), r.file, stringTableLabel(str));
}

/**
 * Walks a chain of records linked by relative "next" offsets. Each hop must move
 * forward inside the section, so a loop or a wild offset stops with an error.
 */
function* chain(
  r: ElfReader,
  s: ElfSection,
  start: number,
  end: number,
  first: number,
  max: number,
  recSize: number,
  nextAt: number,
  what: string,
): Generator<number> {
  let at = first;
  for (let n = 0; n < max; n++) {
    if (at < start || at + recSize > end) {
      throw elfFormatError(
        'E_ELF_BAD_TABLE',
        r.file,
        `${what} ${n} at offset ${hex(at)} lies outside section ${s.index} (${s.name}, ${hex(start)}..${hex(end)})`,
      );
    }
    yield at;
    const next = r.u32(at + nextAt);
    if (next === 0) return;
    at += next;
  }
}

function readVerdef(
  r: ElfReader,
  sections: readonly ElfSection[],
  s: ElfSection,
  out: Map<number, string>,
): void {
  const { start, end } = sectionRange(r, s);
  const strings = linkedStrings(r, sections, s);
  const max = Math.min(s.info || Number.MAX_SAFE_INTEGER, Math.floor((end - start) / VERDEF_SIZE));
  for (const at of chain(r, s, start, end, start, max, VERDEF_SIZE, 16, 'version definition')) {
    const ndx = r.u16(at + 4);
    const aux = r.u32(at + 12);
    if (r.u16(at + 6) === 0) continue;
    const a = at + aux;
    if (aux < VERDEF_SIZE || a + VERDAUX_SIZE > end) {
      throw elfFormatError(
        'E_ELF_BAD_TABLE',
        r.file,
        `version definition at offset ${hex(at)} points its name record to ${hex(a)}, outside section ${s.index} (${s.name})`,
      );
    }
    out.set(ndx, strings.get(r.u32(a), `version definition at offset ${hex(at)}`));
  }
}

function readVerneed(
  r: ElfReader,
  sections: readonly ElfSection[],
  s: ElfSection,
  out: Map<number, string>,
): void {
  const { start, end } = sectionRange(r, s);
  const strings = linkedStrings(r, sections, s);
  const maxFiles = Math.min(
    s.info || Number.MAX_SAFE_INTEGER,
    Math.floor((end - start) / VERNEED_SIZE),
  );
  const maxAux = Math.floor((end - start) / VERNAUX_SIZE);
  for (const at of chain(
    r,
    s,
    start,
    end,
    start,
    maxFiles,
    VERNEED_SIZE,
    12,
    'version requirement',
  )) {
    const cnt = Math.min(r.u16(at + 2), maxAux);
    const aux = r.u32(at + 8);
    if (cnt === 0) continue;
    for (const a of chain(r, s, start, end, at + aux, cnt, VERNAUX_SIZE, 12, 'needed version')) {
      out.set(r.u16(a + 6), strings.get(r.u32(a + 8), `needed version at offset ${hex(a)}`));
    }
  }
}
