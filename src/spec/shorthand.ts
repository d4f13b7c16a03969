/**
 * perf-tools shorthands: `p:FUNC ARGS` (a kprobe on FUNC, event named after
 * it), `r:FUNC $retval`, and `p:LIB:SYM ARGS` (a uprobe, resolved later with ELF).
 */
import type { ArgContext } from './checks.js';
import type { Cursor } from './cursor.js';
import { LIMITS } from './lexical.js';
import { parseRawArgs } from './raw-args.js';
import type { Token } from './raw-tokens.js';
import { parseKernelPlace, parseUserPlace } from './target.js';
import type { KernelTarget, ProbeSpec, UserTarget } from './types.js';

/** perf-tools: the token after `p:X` is an argument rather than a place. */
export function looksLikeArg(tok: Token | undefined): boolean {
  if (tok === undefined) return true;
  const c = tok.text[0];
  return (
    c === '%' ||
    c === '$' ||
    c === '+' ||
    c === '-' ||
    c === '@' ||
    c === '\\' ||
    tok.text.includes('=')
  );
}

/** Makes a C identifier from a symbol for the event name (`foo.isra.0` → `foo_isra_0`). */
function eventNameFor(symbol: string): string {
  const s = symbol.replace(/[^A-Za-z0-9_]/g, '_').slice(0, LIMITS.eventName);
  return /^[0-9]/.test(s) ? `_${s.slice(0, LIMITS.eventName - 1)}` : s;
}

/** perf-tools shorthand: `p:FUNC ARGS` (kprobe) or `p:LIB:SYM ARGS` (uprobe), event named after the function. */
export function parseShorthand(
  cur: Cursor,
  kindChar: 'p' | 'r',
  spec: string,
  at: number,
  toks: readonly Token[],
  user: boolean,
): ProbeSpec {
  const isReturn = kindChar === 'r';
  const kindText = `${kindChar}:`;
  let target: KernelTarget | UserTarget;
  let symbol: string | null;
  if (user) {
    target = parseUserPlace(cur, spec, at, isReturn, kindText);
    symbol = target.symbol;
  } else {
    target = parseKernelPlace(cur, spec, at, isReturn, kindText);
    symbol = target.symbol;
  }
  if (symbol === null) {
    throw cur.error(
      'E_SPEC_RAW',
      'a probe on an address or file offset needs an event name',
      at,
      spec.length,
      `write ${kindChar}:NAME ${spec}`,
    );
  }
  const ctx: ArgContext = {
    names: 'kernel',
    place: user ? 'user' : 'kernel',
    isReturn,
    atEntry: target.offset === 0n,
    returnHint: `write r:${spec} to read the return value`,
    // The planner writes this line itself and maps $argN and names for uprobes.
    kernelLine: false,
  };
  const { args, allArgs } = parseRawArgs(cur, toks, ctx);
  return {
    kind: user ? (isReturn ? 'uretprobe' : 'uprobe') : isReturn ? 'kretprobe' : 'kprobe',
    text: cur.src,
    target,
    args,
    allArgs,
    filter: null,
    filterText: null,
    maxactive: null,
    group: null,
    event: eventNameFor(symbol),
    syntax: 'probekit',
  };
}
