/**
 * The payload of a text line: probe prefixes `(0x55b..)`, `(ret_ip <- func)`,
 * `(sym+0x0/0x1d6)`, then ` name=value` pairs, split respecting `"..."`, `{a,b}`
 * and `'c'`, and typed by the event's format when known. The kernel prints
 * strings without escaping them, so a closing quote is the one followed by the
 * next ` name=` (or the end of the line).
 */
import type { FieldFormat } from './format.js';
import type { FieldValue } from './types.js';
import { intValue } from './values.js';

const FAULT: FieldValue = Object.freeze({ fault: true as const });

export interface ProbePrefix {
  readonly ip?: bigint;
  readonly func?: bigint;
  readonly retIp?: bigint;
  /** Symbolic forms (`do_sys_open+0x0/0x1d6`), as printed, when not a plain address. */
  readonly symbols: { ip?: string; func?: string; retIp?: string };
  /** The text after the prefix. */
  readonly rest: string;
}

function addr(s: string): bigint | undefined {
  return /^0x[0-9a-fA-F]{1,16}$/.test(s) ? BigInt(s) : undefined;
}

/** Reads `(A)` or `(A <- B)` at the start of `payload`; null when absent. */
export function parseProbePrefix(payload: string): ProbePrefix | null {
  const m = /^\(([^()\s]+)(?: <- ([^()\s]+))?\)(?: |$)/.exec(payload);
  if (!m?.[1]) return null;
  const rest = payload.slice(m[0].length);
  const a = m[1];
  const b = m[2];
  if (b === undefined) {
    const ip = addr(a);
    return ip === undefined ? { symbols: { ip: a }, rest } : { ip, symbols: {}, rest };
  }
  const retIp = addr(a);
  const func = addr(b);
  const symbols: { func?: string; retIp?: string } = {};
  if (retIp === undefined) symbols.retIp = a;
  if (func === undefined) symbols.func = b;
  return {
    ...(retIp === undefined ? {} : { retIp }),
    ...(func === undefined ? {} : { func }),
    symbols,
    rest,
  };
}

const NAME_AT = /[^\s="'{}()]+(?==)/y;

const NAME_EQ = /^[A-Za-z_$][\w.$]*=/;

/** Whether the space at `i` starts a ` name=` (a known name when `names` is given). */
function isBoundary(text: string, i: number, names: ReadonlySet<string> | null): boolean {
  if (text.charCodeAt(i) !== 32) return false;
  let eq = -1;
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 61) {
      eq = j;
      break;
    }
    if (c === 32) return false;
  }
  if (eq === -1) return false;
  if (names === null) return NAME_EQ.test(text.slice(i + 1, eq + 1));
  return names.has(text.slice(i + 1, eq));
}

/** The next ` name=` boundary at or after `from`, or the end of the text. Linear in the text. */
function nextBoundary(text: string, from: number, names: ReadonlySet<string> | null): number {
  let i = text.indexOf(' ', from);
  while (i !== -1) {
    if (isBoundary(text, i, names)) return i;
    i = text.indexOf(' ', i + 1);
  }
  return text.length;
}

function closingQuote(text: string, from: number, names: ReadonlySet<string> | null): number {
  // `from` is just after the opening quote.
  let q = text.indexOf('"', from);
  let last = -1;
  while (q !== -1) {
    last = q;
    if (q + 1 === text.length) return q;
    if (isBoundary(text, q + 1, names)) return q;
    q = text.indexOf('"', q + 1);
  }
  return last;
}

function closingBrace(text: string, from: number): number {
  let depth = 0;
  let inStr = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '"' && (text[i + 1] === ',' || text[i + 1] === '}')) inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Splits ` name=value` pairs; `names` (the format's fields) makes boundaries exact. */
export function splitPairs(
  text: string,
  names: ReadonlySet<string> | null = null,
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    while (pos < n && text[pos] === ' ') pos++;
    if (pos >= n) break;
    NAME_AT.lastIndex = pos;
    const nm = NAME_AT.exec(text);
    if (!nm) {
      const sp = text.indexOf(' ', pos);
      pos = sp === -1 ? n : sp + 1;
      continue;
    }
    const name = nm[0];
    let v = pos + name.length + 1;
    let end: number;
    const c = text[v];
    if (c === '"') {
      const q = closingQuote(text, v + 1, names);
      end = q === -1 ? n : q + 1;
    } else if (c === '{') {
      const b = closingBrace(text, v);
      end = b === -1 ? nextBoundary(text, v, names) : b + 1;
    } else if (c === "'" && text[v + 2] === "'") {
      end = v + 3;
    } else {
      end = nextBoundary(text, v, names);
      if (names === null) {
        const sp = text.indexOf(' ', v);
        if (sp !== -1 && sp < end) end = sp;
      }
    }
    if (end < v) end = v;
    out.push([name, text.slice(v, end)]);
    pos = end;
    v = end;
  }
  return out;
}

/** Splits `{a,b,"c,d"}` into element texts. */
export function splitArray(text: string): string[] {
  const inner = text.slice(1, text.endsWith('}') ? -1 : undefined);
  if (inner === '') return [];
  const out: string[] = [];
  let cur = '';
  let inStr = false;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (inStr) {
      cur += c;
      if (c === '"' && (i + 1 === inner.length || inner[i + 1] === ',')) inStr = false;
    } else if (c === '"' && cur === '') {
      inStr = true;
      cur += c;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** An integer as printed: decimal, `0x` hex, or `'c'`. */
export function parseIntText(s: string, hexWithoutPrefix = false): bigint | null {
  if (/^-?\d+$/.test(s) && !hexWithoutPrefix) return BigInt(s);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return BigInt(s);
  if (/^-0x[0-9a-fA-F]+$/.test(s)) return -BigInt(s.slice(1));
  if (hexWithoutPrefix && /^[0-9a-fA-F]+$/.test(s)) return BigInt(`0x${s}`);
  if (s.length === 3 && s[0] === "'" && s[2] === "'") return BigInt(s.charCodeAt(1));
  return null;
}

function unquote(s: string): string {
  return s.length >= 2 && s[0] === '"' && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** Types a value text with no format: strings, arrays, numbers (bigint past 2^53 and for hex). */
export function untypedValue(s: string): FieldValue {
  if (s === '(fault)') return FAULT;
  if (s.startsWith('"')) return unquote(s);
  if (s.startsWith('{')) return splitArray(s).map(untypedValue);
  if (/^-?\d+$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : BigInt(s);
  }
  if (/^0x[0-9a-fA-F]+$/.test(s)) return BigInt(s);
  if (s.length === 3 && s[0] === "'" && s[2] === "'") return s[1]!;
  return s;
}

function scalar(s: string, size: number, signed: boolean, hex: boolean): FieldValue {
  if (s === '(fault)') return FAULT;
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return untypedValue(s);
  const v = parseIntText(s, hex);
  return v === null ? untypedValue(s) : intValue(v, size, signed);
}

/** Types a value text for its field, the way the binary decoder types the same field. */
export function typedValue(s: string, f: FieldFormat | undefined, hex = false): FieldValue {
  if (!f) return hex ? (parseIntText(s, true) ?? untypedValue(s)) : untypedValue(s);
  if (s === '(fault)') return FAULT;
  if (f.isString) {
    if (f.arrayLength !== null && s.startsWith('{'))
      return splitArray(s).map((e) => (e === '(fault)' ? FAULT : unquote(e)));
    return unquote(s);
  }
  if (f.arrayLength !== null || ((f.isDataLoc || f.isRelLoc) && s.startsWith('{'))) {
    if (!s.startsWith('{')) return untypedValue(s);
    return splitArray(s).map((e) => scalar(e, f.elementSize, f.signed, hex));
  }
  if (f.narrow) {
    const v = scalar(s, f.size, f.signed, hex);
    return typeof v === 'bigint' || typeof v === 'number'
      ? intValue(BigInt(v), f.narrow.size, f.narrow.signed)
      : v;
  }
  return scalar(s, f.size, f.signed, hex);
}
