/**
 * A uprobe target: which file (by real path) and which file offset. This is
 * what the planner's `resolveUser` option and the kernel preflight call.
 */
import { realpathSync } from 'node:fs';
import { elfUsageError, hex } from './errors.js';
import { type ElfFile, readElfFile } from './file.js';
import { resolveLibrary } from './library.js';
import { executableSegmentFor, fileOffsetToVaddr } from './offset.js';
import { isFunction, resolveUserSymbol } from './resolve-symbol.js';
import type { ElfSymbol } from './types.js';

export interface UprobeTarget {
  /** The absolute path with symlinks resolved (kept under /proc/PID/root for another root). */
  readonly path: string;
  /** The offset to write after `PATH:` in uprobe_events. */
  readonly fileOffset: bigint;
  /** The function probed (or the one holding a raw offset), or null. */
  readonly symbol: ElfSymbol | null;
  readonly elf: ElfFile;
  /** A caveat worth showing (IFUNC resolver, offset not at an instruction boundary we can check). */
  readonly note?: string;
}

export interface ResolveTargetOptions {
  readonly pid?: number;
}

/**
 * `path` is a path or short library name; with `symbol`, `offset` is added to
 * the function's file offset and must stay inside the function; without it,
 * `offset` is a file offset that must lie in executable code.
 */
export function resolveUprobeTarget(
  path: string,
  symbol: string | null,
  offset: bigint,
  opts: ResolveTargetOptions = {},
): UprobeTarget {
  if (offset < 0n) {
    throw elfUsageError(
      'E_ELF_OFFSET_OUT_OF_RANGE',
      `negative offset ${offset}`,
      'offsets count forward from the start',
      { offset: String(offset) },
    );
  }
  const found = resolveLibrary(path, opts.pid === undefined ? {} : { pid: opts.pid });
  const real = found.startsWith('/proc/') ? found : realpathSync(found);
  const elf = readElfFile(real);
  if (symbol !== null) {
    const r = resolveUserSymbol(elf, symbol);
    if (offset > 0n && r.size > 0n && offset >= r.size) {
      throw elfUsageError(
        'E_ELF_OFFSET_OUT_OF_RANGE',
        `${elf.name}: offset ${hex(offset)} is past the end of ${r.symbol.displayName} (size ${hex(r.size)})`,
        'give an offset inside the function (see `objdump -d`)',
        { file: elf.name, symbol, offset: hex(offset), size: hex(r.size) },
      );
    }
    if (offset > 0n && executableSegmentFor(elf, r.vaddr + offset) === undefined) {
      throw elfUsageError(
        'E_ELF_OFFSET_OUT_OF_RANGE',
        `${elf.name}: ${r.symbol.displayName}+${hex(offset)} is outside the executable code`,
        'give an offset inside the function',
        { file: elf.name, symbol, offset: hex(offset) },
      );
    }
    return {
      path: real,
      fileOffset: r.fileOffset + offset,
      symbol: r.symbol,
      elf,
      ...(r.note === undefined ? {} : { note: r.note }),
    };
  }
  const vaddr = fileOffsetToVaddr(elf, offset);
  if (vaddr === undefined) {
    throw elfUsageError(
      'E_ELF_OFFSET_OUT_OF_RANGE',
      `${elf.name}: file offset ${hex(offset)} is not inside an executable segment`,
      'uprobes go on code; see the executable LOAD segments with `readelf -lW`',
      { file: elf.name, offset: hex(offset) },
    );
  }
  return { path: real, fileOffset: offset, symbol: functionAt(elf, vaddr), elf };
}

/** The function whose [value, value+size) holds `vaddr`, preferring .symtab. */
export function functionAt(elf: ElfFile, vaddr: bigint): ElfSymbol | null {
  for (const s of elf.symbols) {
    if (
      isFunction(s) &&
      vaddr >= s.value &&
      (vaddr < s.value + s.size || (s.size === 0n && vaddr === s.value))
    )
      return s;
  }
  return null;
}

/**
 * The planner's `resolveUser` option (src/plan/types.ts PlanOptions): path +
 * symbol → real path and the symbol's file offset. Errors are thrown (with
 * suggestions), never turned into null, so the user sees why.
 */
export function userResolver(
  opts: ResolveTargetOptions = {},
): (path: string, symbol: string) => { path: string; offset: bigint } {
  return (path, symbol) => {
    const t = resolveUprobeTarget(path, symbol, 0n, opts);
    return { path: t.path, offset: t.fileOffset };
  };
}
