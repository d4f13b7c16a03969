/**
 * /proc/kallsyms: `<addr> <type> <name>[\t[<module>]]`, one symbol a line
 * (122k lines on the development machine). Parsed once into a name index;
 * addresses read as zero when kptr_restrict hides them.
 */
import { readFile } from 'node:fs/promises';
import { KernelError } from '../errors.js';
import { KERNEL_PATHS } from './paths.js';

export interface KallsymsEntry {
  readonly name: string;
  readonly address: bigint;
  /** nm-style type letter: `T`/`t` text, `W`/`w` weak, `D`/`d` data, ... (lowercase = local). */
  readonly type: string;
  /** Module name for module symbols, null for vmlinux. */
  readonly module: string | null;
}

/** Type letters of code: text and weak symbols. */
const TEXT_TYPES = new Set(['T', 't', 'W', 'w']);

export function isTextSymbol(e: KallsymsEntry): boolean {
  return TEXT_TYPES.has(e.type);
}

/** Where a code address falls: the symbol at or below it and the distance past its start. */
export interface KernelFrame {
  readonly name: string;
  readonly offset: bigint;
  readonly module: string | null;
}

/** Past this many bytes from the nearest symbol an address is not taken to be in it. */
const MAX_SYMBOL_SPAN = 1n << 20n;

function stripBrackets(s: string): string {
  return s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
}

export class Kallsyms {
  private readonly byName: Map<string, KallsymsEntry[]>;
  /** Lines parsed. */
  readonly size: number;
  /** True when every address read as zero (kptr_restrict, or not root). */
  readonly addressesHidden: boolean;
  private duplicates: string[] | undefined;
  private byAddress: KallsymsEntry[] | undefined;

  private constructor(byName: Map<string, KallsymsEntry[]>, size: number, hidden: boolean) {
    this.byName = byName;
    this.size = size;
    this.addressesHidden = hidden;
  }

  /** Parses kallsyms text. Malformed lines are skipped (the file is the kernel's, not the user's). */
  static parse(text: string): Kallsyms {
    const byName = new Map<string, KallsymsEntry[]>();
    let size = 0;
    let nonZero = false;
    for (const line of text.split('\n')) {
      // `<hex> <type> <name>[\t[<module>]]`
      const sp1 = line.indexOf(' ');
      if (sp1 <= 0 || line.charCodeAt(sp1 + 2) !== 32 || line.length <= sp1 + 3) continue;
      const type = line[sp1 + 1] as string;
      const tab = line.indexOf('\t', sp1 + 3);
      const name = tab < 0 ? line.slice(sp1 + 3) : line.slice(sp1 + 3, tab);
      const module = tab < 0 ? null : stripBrackets(line.slice(tab + 1));
      let address: bigint;
      try {
        address = BigInt(`0x${line.slice(0, sp1)}`);
      } catch {
        continue; // not a hex address: not a kallsyms line
      }
      if (address !== 0n) nonZero = true;
      const entry: KallsymsEntry = { name, address, type, module };
      const list = byName.get(name);
      if (list) list.push(entry);
      else byName.set(name, [entry]);
      size++;
    }
    return new Kallsyms(byName, size, size > 0 && !nonZero);
  }

  /** Every entry with this exact name (any type). */
  lookup(name: string): readonly KallsymsEntry[] {
    return this.byName.get(name) ?? [];
  }

  /** The code entries with this name (text or weak). */
  functions(name: string): readonly KallsymsEntry[] {
    return this.lookup(name).filter(isTextSymbol);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Every distinct name. */
  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /** Distinct names of code symbols, without the `__pfx_` CFI/padding preambles. */
  *functionNames(): IterableIterator<string> {
    for (const [name, list] of this.byName) {
      if (!name.startsWith('__pfx_') && list.some(isTextSymbol)) yield name;
    }
  }

  /**
   * The code symbol an address falls in (the nearest one at or below it), as
   * a stack trace names a frame; null when the addresses are hidden or none is near.
   */
  resolve(address: bigint): KernelFrame | null {
    if (this.addressesHidden) return null;
    if (!this.byAddress) {
      this.byAddress = [...this.byName.values()]
        .flat()
        .filter((e) => e.address !== 0n && isTextSymbol(e))
        .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    }
    const list = this.byAddress;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as KallsymsEntry).address <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    // Of several names at one address, the first that is not a __pfx_ preamble.
    let e = list[found] as KallsymsEntry;
    for (let i = found; i >= 0 && (list[i] as KallsymsEntry).address === e.address; i--)
      if (!(list[i] as KallsymsEntry).name.startsWith('__pfx_')) e = list[i] as KallsymsEntry;
    const offset = address - e.address;
    if (offset >= MAX_SYMBOL_SPAN) return null;
    return { name: e.name, offset, module: e.module };
  }

  /** `do_syscall_64+0x4a`, `xfs_read+0x10 [xfs]`, or the hex address when no symbol holds it. */
  symbolize(address: bigint): string {
    const f = this.resolve(address);
    if (!f) return `0x${address.toString(16)}`;
    const mod = f.module === null ? '' : ` [${f.module}]`;
    return `${f.name}+0x${f.offset.toString(16)}${mod}`;
  }

  /** Code symbol names defined more than once (static functions of the same name in several files). */
  duplicateFunctionNames(): readonly string[] {
    if (!this.duplicates) {
      this.duplicates = [];
      for (const [name, list] of this.byName) {
        if (list.filter(isTextSymbol).length > 1) this.duplicates.push(name);
      }
    }
    return this.duplicates;
  }
}

const cache = new Map<string, Promise<Kallsyms>>();

/** Reads and indexes kallsyms once per path (the default is /proc/kallsyms). */
export function loadKallsyms(path: string = KERNEL_PATHS.kallsyms): Promise<Kallsyms> {
  let p = cache.get(path);
  if (!p) {
    p = readFile(path, 'utf8').then(Kallsyms.parse, (e: unknown) => {
      cache.delete(path);
      throw new KernelError(
        'E_NO_KALLSYMS',
        `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`,
        {
          hint: 'the kernel symbol list is needed to check function names; is /proc mounted?',
          cause: e,
        },
      );
    });
    cache.set(path, p);
  }
  return p;
}
