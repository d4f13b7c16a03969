/** Function name (plain or versioned) → the one address and file offset a uprobe needs. */

import { nearNames } from '../util/names.js';
import { elfUsageError, hex } from './errors.js';
import type { ElfFile } from './file.js';
import { symbolFileOffset } from './offset.js';
import type { ElfSymbol } from './types.js';

export interface ResolvedUserSymbol {
  readonly symbol: ElfSymbol;
  readonly vaddr: bigint;
  readonly fileOffset: bigint;
  readonly size: bigint;
  /** A caveat worth showing (e.g. the symbol is an IFUNC resolver). */
  readonly note?: string;
}

/** `malloc`, `malloc@GLIBC_2.2.5` (any version kind) or `malloc@@GLIBC_2.2.5` (the default one). */
export interface SymbolQuery {
  readonly name: string;
  readonly version: string | null;
  readonly defaultOnly: boolean;
}

export function parseSymbolQuery(text: string): SymbolQuery {
  const at = text.indexOf('@');
  if (at < 0) return { name: text, version: null, defaultOnly: false };
  const defaultOnly = text[at + 1] === '@';
  return { name: text.slice(0, at), version: text.slice(at + (defaultOnly ? 2 : 1)), defaultOnly };
}

function matches(s: ElfSymbol, q: SymbolQuery): boolean {
  if (s.name !== q.name) return false;
  if (q.version === null) return true;
  return s.version === q.version && (!q.defaultOnly || s.versionDefault);
}

export function isDefined(s: ElfSymbol): boolean {
  return s.shndx !== 0;
}

export function isFunction(s: ElfSymbol): boolean {
  return (s.type === 'FUNC' || s.type === 'IFUNC') && isDefined(s);
}

export function resolveUserSymbol(elf: ElfFile, name: string): ResolvedUserSymbol {
  const q = parseSymbolQuery(name);
  const tiers: ((s: ElfSymbol) => boolean)[] = [
    (s) => s.table === 'symtab' && isFunction(s),
    (s) => s.table === 'dynsym' && isFunction(s),
    // Assembly labels often have no type.
    (s) => s.type === 'NOTYPE' && isDefined(s) && s.value !== 0n && s.binding !== 'LOCAL',
  ];
  let found: ElfSymbol[] = [];
  for (const tier of tiers) {
    found = elf.symbols.filter((s) => tier(s) && matches(s, q));
    if (found.length > 0) break;
  }
  if (found.length === 0) throw notFound(elf, name, q);

  let byAddr = groupByAddress(found);
  if (byAddr.size > 1 && q.version === null) {
    // A plain name means what the linker would bind: the default or unversioned symbol.
    const current = found.filter((s) => s.version === null || s.versionDefault);
    if (current.length > 0) {
      found = current;
      byAddr = groupByAddress(found);
    }
  }
  if (byAddr.size > 1) {
    const list = [...byAddr.entries()].map(([addr, syms]) => {
      const s = syms[0]!;
      const off = tryOffset(elf, addr);
      return `  ${s.displayName} at ${hex(addr)} (${s.binding} ${s.type}, size ${s.size}${off === null ? '' : `, file offset ${hex(off)}`})`;
    });
    throw elfUsageError(
      'E_ELF_SYMBOL_AMBIGUOUS',
      `${elf.name}: ${byAddr.size} different functions are named ${name}:\n${list.join('\n')}`,
      `pick one by file offset: u:${elf.name}:0xOFFSET`,
      { file: elf.name, symbol: name, addresses: [...byAddr.keys()].map(hex) },
    );
  }
  const first = found[0]!;
  // Show the version from .dynsym when .symtab has the same function.
  const symbol =
    elf.dynsym.find(
      (s) => s.name === first.name && s.value === first.value && s.version !== null && isDefined(s),
    ) ?? first;
  const fileOffset = symbolFileOffset(elf, symbol.value);
  const note =
    symbol.type === 'IFUNC'
      ? `${symbol.name} is an IFUNC: this probes its resolver, which runs once when the symbol is bound, not each call; probe the implementation it selects instead`
      : undefined;
  return {
    symbol,
    vaddr: symbol.value,
    fileOffset,
    size: symbol.size,
    ...(note === undefined ? {} : { note }),
  };
}

function groupByAddress(syms: readonly ElfSymbol[]): Map<bigint, ElfSymbol[]> {
  const m = new Map<bigint, ElfSymbol[]>();
  for (const s of syms) {
    const list = m.get(s.value);
    if (list === undefined) m.set(s.value, [s]);
    else list.push(s);
  }
  return m;
}

function tryOffset(elf: ElfFile, vaddr: bigint): bigint | null {
  try {
    return symbolFileOffset(elf, vaddr);
  } catch {
    return null;
  }
}

function notFound(elf: ElfFile, name: string, q: SymbolQuery): Error {
  const same = elf.symbols.filter((s) => s.name === q.name);
  const details = { file: elf.name, symbol: name };
  const data = same.find(
    (s) => isDefined(s) && (s.type === 'OBJECT' || s.type === 'TLS' || s.type === 'COMMON'),
  );
  if (data !== undefined) {
    return elfUsageError(
      'E_ELF_NOT_FUNCTION',
      `${elf.name}: ${name} is data (${data.type} at ${hex(data.value)}), not a function`,
      'uprobes go on code: give a function name',
      details,
    );
  }
  if (same.some((s) => isFunction(s)) && q.version !== null) {
    const versions = [...new Set(same.filter(isFunction).map((s) => s.displayName))].sort();
    return elfUsageError(
      'E_ELF_SYMBOL_NOT_FOUND',
      `${elf.name}: no function ${name}; the versions present are ${versions.join(', ')}`,
      `use one of those names, or the plain name ${q.name} for the default version`,
      details,
    );
  }
  if (same.length > 0 && same.every((s) => !isDefined(s))) {
    return elfUsageError(
      'E_ELF_SYMBOL_NOT_FOUND',
      `${elf.name}: ${name} is imported by this file, not defined in it`,
      'probe it in the shared library that defines it (for example libc)',
      details,
    );
  }
  const pool = elf.symbols.filter(isFunction);
  const near = nearNames(
    q.name,
    pool.map((s) => s.name),
  );
  const stripped =
    elf.symtab.length === 0 ? ' (the file is stripped: only exported functions are known)' : '';
  return elfUsageError(
    'E_ELF_SYMBOL_NOT_FOUND',
    `${elf.name}: no function named ${name}${stripped}${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ''}`,
    pool.length === 0
      ? 'the file has no function symbols; probe by file offset: u:PATH:0xOFFSET'
      : `list the functions with: probekit list --uprobe ${elf.name}`,
    { ...details, suggestions: near },
  );
}
