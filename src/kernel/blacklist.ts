/**
 * The kprobe blacklist, `<debugfs>/kprobes/blacklist`: one
 * `0x<start>-0x<end>\t<symbol>` line per entry (addresses print as zeros when
 * kallsyms hides them). The kernel's `within_kprobe_blacklist()` also refuses
 * `foo.isra.0` or `foo.cold` when `foo` is listed; `isBlacklisted` does the
 * same, and compares address ranges when addresses are known.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';

export interface BlacklistEntry {
  readonly start: bigint;
  readonly end: bigint;
  readonly symbol: string;
  /** Module for module entries (`[mod]` after the symbol), else null. */
  readonly module: string | null;
}

export interface KprobeBlacklist {
  readonly entries: readonly BlacklistEntry[];
  /** True when every range printed as zeros. */
  readonly addressesHidden: boolean;
  /** The entry covering `name` (or its base name before the first `.`), if any. */
  lookup(name: string, address?: bigint): BlacklistEntry | undefined;
}

/** The symbol a `.suffix` clone inherits from: `foo.isra.0` → `foo`. */
export function baseSymbol(name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

const LINE = /^0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\s+(\S+)(?:\s+\[([^\]]+)\])?\s*$/;

export function parseKprobeBlacklist(text: string): KprobeBlacklist {
  const entries: BlacklistEntry[] = [];
  const byName = new Map<string, BlacklistEntry>();
  let nonZero = false;
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m) continue;
    const entry: BlacklistEntry = {
      start: BigInt(`0x${m[1]}`),
      end: BigInt(`0x${m[2]}`),
      symbol: m[3] as string,
      module: m[4] ?? null,
    };
    if (entry.start !== 0n || entry.end !== 0n) nonZero = true;
    entries.push(entry);
    if (!byName.has(entry.symbol)) byName.set(entry.symbol, entry);
  }
  const addressesHidden = entries.length > 0 && !nonZero;
  return {
    entries,
    addressesHidden,
    lookup(name: string, address?: bigint) {
      const direct = byName.get(name) ?? byName.get(baseSymbol(name));
      if (direct) return direct;
      if (address === undefined || address === 0n || addressesHidden) return undefined;
      return entries.find((e) => address >= e.start && address < e.end);
    },
  };
}

export type BlacklistResult =
  | { readonly ok: true; readonly blacklist: KprobeBlacklist; readonly path: string }
  | { readonly ok: false; readonly reason: string };

/** Reads the blacklist from a debugfs root; says why when it cannot. */
export async function loadKprobeBlacklist(debugfsRoot: string): Promise<BlacklistResult> {
  const path = join(debugfsRoot, 'kprobes', 'blacklist');
  try {
    return { ok: true, blacklist: parseKprobeBlacklist(await readFile(path, 'utf8')), path };
  } catch (e) {
    const code = errnoCode(e);
    return {
      ok: false,
      reason:
        code === 'ENOENT'
          ? `${path} does not exist (no kprobes in this kernel, or debugfs restricted)`
          : `${path} could not be read (${code ?? String(e)})`,
    };
  }
}
