/** A parsed ELF file: header, sections and segments at once; symbols and build-id on first use. */
import { readFileSync, statSync } from 'node:fs';
import { errnoCode, isProbekitError } from '../errors.js';
import { SHT } from './constants.js';
import { elfFormatError, elfUsageError } from './errors.js';
import { openReader, parseHeader } from './header.js';
import { findBuildId } from './notes.js';
import type { ElfReader } from './reader.js';
import { parseSections, sectionRange } from './sections.js';
import { parseSegments } from './segments.js';
import { parseSymbolTable } from './symbols.js';
import type { ElfHeader, ElfSection, ElfSegment, ElfSymbol } from './types.js';

export class ElfFile {
  /** The name used in messages (usually the path). */
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
  private readonly reader: ElfReader;
  private symtabCache: readonly ElfSymbol[] | undefined;
  private dynsymCache: readonly ElfSymbol[] | undefined;
  private allCache: readonly ElfSymbol[] | undefined;
  private buildIdCache: string | null | undefined;

  constructor(bytes: Uint8Array, name: string) {
    this.name = name;
    this.bytes = bytes;
    this.reader = openReader(bytes, name);
    this.header = parseHeader(this.reader);
    this.sections = parseSections(this.reader, this.header);
    this.segments = parseSegments(this.reader, this.header);
  }

  /** The first section with this name. */
  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The bytes of a section (empty for NOBITS), bounds-checked. */
  sectionBytes(s: ElfSection): Uint8Array {
    if (s.type === SHT.NOBITS) return new Uint8Array(0);
    const { start, end } = sectionRange(this.reader, s);
    return this.bytes.subarray(start, end);
  }

  /** .symtab entries (empty when the file is stripped). Decoded on first use. */
  get symtab(): readonly ElfSymbol[] {
    this.symtabCache ??= this.loadTable(SHT.SYMTAB);
    return this.symtabCache;
  }

  /** .dynsym entries, with GNU versions. Decoded on first use. */
  get dynsym(): readonly ElfSymbol[] {
    this.dynsymCache ??= this.loadTable(SHT.DYNSYM);
    return this.dynsymCache;
  }

  /** .symtab then .dynsym. */
  get symbols(): readonly ElfSymbol[] {
    this.allCache ??= this.symtab.concat(this.dynsym);
    return this.allCache;
  }

  /** The GNU build-id as hex, or null. */
  get buildId(): string | null {
    if (this.buildIdCache === undefined)
      this.buildIdCache = findBuildId(this.reader, this.sections, this.segments);
    return this.buildIdCache;
  }

  /** The table of that type; like the gABI, only the first such section counts. */
  private loadTable(type: number): ElfSymbol[] {
    const s = this.sections.find((x) => x.type === type);
    return s === undefined ? [] : parseSymbolTable(this.reader, this.header, this.sections, s);
  }
}

/** Parses an ELF image. `name` is used in error messages (default `<memory>`). */
export function parseElf(bytes: Uint8Array, name = '<memory>'): ElfFile {
  return new ElfFile(bytes, name);
}

/** Reads and parses an ELF file; missing paths, directories and unreadable files give clear errors. */
export function readElfFile(path: string, displayName: string = path): ElfFile {
  let bytes: Uint8Array;
  try {
    const st = statSync(path);
    if (!st.isFile()) {
      throw elfUsageError(
        'E_ELF_NOT_REGULAR',
        `${displayName}: not a regular file (it is ${st.isDirectory() ? 'a directory' : 'a special file'})`,
        'give the path of an executable or shared library',
        { file: displayName },
      );
    }
    bytes = readFileSync(path);
  } catch (e) {
    if (isProbekitError(e)) throw e;
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw elfUsageError(
        'E_ELF_FILE_NOT_FOUND',
        `${displayName}: no such file`,
        'check the path; a library may be given by short name, e.g. libc',
        {
          file: displayName,
        },
      );
    }
    if (code === 'ERR_FS_FILE_TOO_LARGE' || e instanceof RangeError) {
      throw elfFormatError(
        'E_ELF_READ',
        displayName,
        'the file is too large to read into memory (over 2 GiB)',
        { errno: code },
        'probe by file offset instead: u:PATH:0xOFFSET (offsets from `readelf -lW` and `nm`)',
      );
    }
    throw elfFormatError(
      'E_ELF_READ',
      displayName,
      `cannot read the file (${code ?? String(e)})`,
      { errno: code },
      "check the permissions (probing other users' files needs root)",
    );
  }
  return new ElfFile(bytes, displayName);
}
