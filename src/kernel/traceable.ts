/**
 * Which kernel functions ftrace can attach to (`available_filter_functions`).
 * Reading it returns EPERM on some kernels (the development machine); then we
 * fall back to kallsyms code symbols and say so: that list also holds notrace
 * and other functions ftrace cannot attach to.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import type { Kallsyms } from './kallsyms.js';

export interface TraceableFunctions {
  /** Where `names` came from. */
  readonly source: 'available_filter_functions' | 'kallsyms';
  /** Function names (module functions included, without the module). */
  readonly names: ReadonlySet<string>;
  /** Module of a name, when the list said. */
  readonly modules: ReadonlyMap<string, string>;
  /** Why the list is a fallback (or came from the `_addrs` file), or null when it is the real one. */
  readonly note: string | null;
}

/** Placeholder entries ftrace keeps for addresses it could not resolve. */
const INVALID_PREFIX = '__ftrace_invalid_address__';

/** Parses `available_filter_functions` (`name[ [module]]`) or its `_addrs` form (`<hex> name[ [module]]`). */
export function parseAvailableFilterFunctions(text: string): {
  names: Set<string>;
  modules: Map<string, string>;
} {
  const names = new Set<string>();
  const modules = new Map<string, string>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === undefined || f[0] === '') continue;
    if (/^[0-9a-f]{8,}$/.test(f[0]) && f.length > 1) f.shift();
    const [name, mod] = f as [string, string | undefined];
    if (name.startsWith(INVALID_PREFIX)) continue;
    names.add(name);
    if (mod?.startsWith('[')) modules.set(name, mod.slice(1, -1));
  }
  return { names, modules };
}

/** Pure fallback: every kallsyms code symbol, with a note saying why. */
export function traceableFromKallsyms(kallsyms: Kallsyms, why: string): TraceableFunctions {
  const names = new Set(kallsyms.functionNames());
  return {
    source: 'kallsyms',
    names,
    modules: new Map(),
    note: `${why}; using kallsyms code symbols instead, which also include notrace functions`,
  };
}

function unreadable(path: string, e: unknown): string {
  const code = errnoCode(e);
  return code === 'ENOENT'
    ? `${path} does not exist (kernel built without CONFIG_DYNAMIC_FTRACE)`
    : `${path} could not be read (${code ?? String(e)})`;
}

/**
 * Reads `available_filter_functions` (or its `_addrs` twin when only that one
 * is readable), or falls back to kallsyms when neither can be read.
 */
export async function loadTraceableFunctions(
  tracefsRoot: string,
  kallsyms: Kallsyms,
): Promise<TraceableFunctions> {
  const path = join(tracefsRoot, 'available_filter_functions');
  let why: string;
  try {
    const { names, modules } = parseAvailableFilterFunctions(await readFile(path, 'utf8'));
    return { source: 'available_filter_functions', names, modules, note: null };
  } catch (e) {
    why = unreadable(path, e);
  }
  try {
    const addrs = `${path}_addrs`;
    const { names, modules } = parseAvailableFilterFunctions(await readFile(addrs, 'utf8'));
    return {
      source: 'available_filter_functions',
      names,
      modules,
      note: `${why}; read ${addrs} instead`,
    };
  } catch {
    return traceableFromKallsyms(kallsyms, why);
  }
}
