/** Character classes, names and numbers shared by the spec parsers. */

const U64_MAX = (1n << 64n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;

export const LIMITS = {
  /** Longest line accepted (tracefs takes lines under 4094 bytes). */
  lineLength: 4096,
  /** MAX_ARG_NAME_LEN in trace_probe.h. */
  argName: 32,
  /** MAX_EVENT_NAME_LEN - 1. */
  eventName: 63,
  /** MAX_ARGSTR_LEN: one argument body after `NAME=`. */
  argBody: 63,
  /** MAX_TRACE_ARGS. */
  args: 128,
  /** Array elements (MAX_ARRAY_LEN). */
  arrayLength: 64,
  /** Nested dereferences; the kernel allows about 12 within 16 fetch ops. */
  derefDepth: 12,
  /** Nested parentheses and `!` in a filter. */
  filterDepth: 32,
  /** KRETPROBE_MAXACTIVE_MAX. */
  maxactive: 4096,
  /** Highest `$argN` we accept. */
  argIndex: 128,
  /** Highest `$stackN` we accept (THREAD_SIZE/8 on x86_64 is 2048). */
  stackIndex: 2047,
} as const satisfies Record<string, number>;

export function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

export function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}

export function isIdentChar(c: string | undefined): boolean {
  return isIdentStart(c) || isDigit(c);
}

/** C identifier: `[A-Za-z_][A-Za-z0-9_]*`. */
export function isIdentifier(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

/** Characters of a symbol name (kernel or ELF): identifiers plus `.` `$` (and `@` for ELF versions). */
export function isSymbolChar(c: string | undefined, user: boolean): boolean {
  return isIdentChar(c) || c === '.' || c === '$' || (user && c === '@');
}

/**
 * Parses an unsigned number the way the kernel's kstrtoul(s, 0) does:
 * `0x` hex, a leading `0` octal, otherwise decimal. Null when malformed.
 */
export function parseCNumber(text: string): bigint | null {
  if (text.length === 0 || text.length > 40) return null;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return BigInt(text);
  if (/^0[0-7]*$/.test(text)) return text.length === 1 ? 0n : BigInt(`0o${text.slice(1)}`);
  if (/^[1-9][0-9]*$/.test(text)) return BigInt(text);
  return null;
}

/** kstrtol-style signed number with an optional `+` or `-`. */
export function parseSignedCNumber(text: string): bigint | null {
  if (text.startsWith('-')) {
    const v = parseCNumber(text.slice(1));
    return v === null || -v < S64_MIN ? null : -v;
  }
  const v = parseCNumber(text.startsWith('+') ? text.slice(1) : text);
  return v === null || v > S64_MAX ? null : v;
}

export function fitsU64(v: bigint): boolean {
  return v >= 0n && v <= U64_MAX;
}

export function fitsS64(v: bigint): boolean {
  return v >= S64_MIN && v <= S64_MAX;
}
