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
