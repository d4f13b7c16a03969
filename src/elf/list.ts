/** Functions of a user binary with their file offsets, for `probekit list --uprobe PATH [PATTERN]`. */

import { globToRegExp } from '../util/names.js';
import { type ElfFile, readElfFile } from './file.js';
import { resolveLibrary } from './library.js';
import { executableSegmentFor } from './offset.js';
import { isFunction } from './resolve-symbol.js';
import type { ElfSymbol, ElfSymbolBinding, ElfSymbolTable } from './types.js';

export interface UserFunction {
  /** The plain name. */
  readonly name: string;
  /** With the GNU version when there is one (`malloc@@GLIBC_2.2.5`). */
  readonly displayName: string;
  readonly vaddr: bigint;
  readonly fileOffset: bigint;
  readonly size: bigint;
  readonly type: 'FUNC' | 'IFUNC';
  readonly binding: ElfSymbolBinding;
  readonly table: ElfSymbolTable;
}

/** Every defined function, one per (name, version, address), sorted by name then address. */
export function userFunctions(elf: ElfFile, pattern?: string): UserFunction[] {
  const re = pattern === undefined ? null : globToRegExp(pattern);
  const out: UserFunction[] = [];
  const inDynsym = new Set<string>();
  // .dynsym first so the versioned name wins for functions in both tables.
  for (const s of [...elf.dynsym, ...elf.symtab]) {
    if (!isFunction(s)) continue;
    if (re !== null && !re.test(s.name) && !re.test(s.displayName)) continue;
    const key = `${s.name}\0${s.value}`;
    if (s.table === 'symtab' && inDynsym.has(key)) continue;
    const seg = executableSegmentFor(elf, s.value);
    if (seg === undefined) continue;
    if (s.table === 'dynsym') inDynsym.add(key);
    out.push(toUserFunction(s, s.value - seg.vaddr + seg.offset));
  }
  return out.sort((a, b) =>
    a.displayName < b.displayName
      ? -1
      : a.displayName > b.displayName
        ? 1
        : a.vaddr < b.vaddr
          ? -1
          : a.vaddr > b.vaddr
            ? 1
            : 0,
  );
}

function toUserFunction(s: ElfSymbol, fileOffset: bigint): UserFunction {
  return {
    name: s.name,
    displayName: s.displayName,
    vaddr: s.value,
    fileOffset,
    size: s.size,
    type: s.type === 'IFUNC' ? 'IFUNC' : 'FUNC',
    binding: s.binding,
    table: s.table,
  };
}

/** Reads `path` (a path or short library name) and lists its functions. */
export function listUserFunctions(
  path: string,
  pattern?: string,
  opts: { pid?: number } = {},
): UserFunction[] {
  const found = resolveLibrary(path, opts.pid === undefined ? {} : { pid: opts.pid });
  return userFunctions(readElfFile(found), pattern);
}
