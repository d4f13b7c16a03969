/** Fetch atoms: registers, memory, variables and immediates, and member paths. */
import { quote } from './codes.js';
import type { Cursor } from './cursor.js';
import type { FetchContext } from './fetch.js';
import {
  fitsS64,
  fitsU64,
  isDigit,
  isIdentChar,
  isIdentStart,
  isSymbolChar,
  isWs,
  LIMITS,
  parseCNumber,
  parseSignedCNumber,
} from './lexical.js';
import type { FetchExpr } from './types.js';
export const VARIABLES_HINT =
  'variables are $argN, $retval, $comm, $stack, $stackN and $arg* (alone)';
const IMM_HINT = 'an immediate is \\NUMBER (\\42, \\0x10, \\-1) or \\"text" without spaces';

/** Ends a run of number-ish characters. */
export function isNumChar(c: string): boolean {
  return isIdentChar(c);
}

export function parseRegister(cur: Cursor): FetchExpr {
  const start = cur.pos;
  cur.pos++;
  const reg = cur.take(isIdentChar);
  if (reg.length === 0) {
    throw cur.error(
      'E_SPEC_ARG',
      "missing register name after '%'",
      start,
      1,
      'registers use the tracefs names, e.g. %di on x86_64, %x0 on arm64, %a0 on riscv64',
    );
  }
  return { kind: 'reg', reg, span: { start, end: cur.pos } };
}

export function parseMemory(cur: Cursor, ctx: FetchContext): FetchExpr {
  const start = cur.pos;
  cur.pos++;
  const c = cur.peek();
  if (c === '+') {
    cur.pos++;
    const numStart = cur.pos;
    const text = cur.take(isNumChar);
    const span = { start, end: cur.pos };
    if (ctx.place !== 'user') {
      throw cur.error(
        'E_SPEC_ARG',
        "'@+OFFSET' (a file offset) is only available in uprobes",
        start,
        span.end - start,
        'in a kernel probe read memory with @ADDR or @SYMBOL',
      );
    }
    const offset = parseCNumber(text);
    if (offset === null || !fitsU64(offset)) {
      const what =
        text.length === 0 ? "missing file offset after '@+'" : `bad file offset ${quote(text)}`;
      throw cur.error(
        'E_SPEC_ARG',
        what,
        numStart,
        Math.max(1, text.length),
        'write @+0x1234 (a decimal or 0x hexadecimal file offset)',
      );
    }
    return { kind: 'fileoff', offset, span };
  }
  if (isDigit(c)) {
    const text = cur.take(isNumChar);
    const address = parseCNumber(text);
    if (address === null || !fitsU64(address)) {
      throw cur.error(
        'E_SPEC_ARG',
        `bad address ${quote(text)}`,
        start + 1,
        text.length,
        'write @0xffffffff81000000 (a decimal or 0x hexadecimal address)',
      );
    }
    return { kind: 'addr', address, span: { start, end: cur.pos } };
  }
  const symbol = cur.take((ch) => isSymbolChar(ch, false));
  if (symbol.length === 0) {
    throw cur.error(
      'E_SPEC_ARG',
      "missing address or symbol after '@'",
      start,
      1,
      'write @0xADDRESS, @SYMBOL, @SYMBOL+OFFS or (uprobes) @+FILEOFFSET',
    );
  }
  let offset = 0n;
  const sign = cur.peek();
  if (sign === '+' || sign === '-') {
    const signAt = cur.pos;
    cur.pos++;
    const text = cur.take(isNumChar);
    const v = parseCNumber(text);
    if (v === null || !fitsS64(v)) {
      const what =
        text.length === 0 ? `missing offset after ${quote(sign)}` : `bad offset ${quote(text)}`;
      throw cur.error(
        'E_SPEC_ARG',
        what,
        text.length === 0 ? signAt : signAt + 1,
        Math.max(1, text.length),
        'write @SYMBOL+16 or @SYMBOL-0x10',
      );
    }
    offset = sign === '-' ? -v : v;
  }
  const span = { start, end: cur.pos };
  if (ctx.place === 'user') {
    throw cur.error(
      'E_SPEC_ARG',
      "'@SYMBOL' reads kernel memory and is not available in uprobes",
      start,
      span.end - start,
      'in a uprobe use @+FILEOFFSET or @0xADDRESS',
    );
  }
  return { kind: 'sym', symbol, offset, span };
}

export function parseVariable(cur: Cursor): FetchExpr {
  const start = cur.pos;
  cur.pos++;
  const name = cur.take((ch) => isIdentChar(ch) || ch === '*');
  const span = { start, end: cur.pos };
  const len = span.end - start;
  if (name === 'retval') return withMembers(cur, { kind: 'retval', span });
  if (name === 'comm' || name === 'COMM') return { kind: 'comm', span };
  if (name === 'stack') return { kind: 'stack', index: null, span };
  let m = /^stack([0-9]+)$/.exec(name);
  if (m) {
    const index = m[1]!.length > 5 ? Number.POSITIVE_INFINITY : Number(m[1]);
    if (index > LIMITS.stackIndex) {
      throw cur.error(
        'E_SPEC_ARG',
        `stack slot ${quote(m[1]!)} is too big`,
        start,
        len,
        `$stackN takes N from 0 to ${LIMITS.stackIndex}`,
      );
    }
    return { kind: 'stack', index, span };
  }
  m = /^arg([0-9]+)$/.exec(name);
  if (m) return withMembers(cur, argN(cur, m[1]!, start, span));
  if (name === 'arg*') {
    throw cur.error(
      'E_SPEC_ARG',
      "'$arg*' must stand alone in the argument list",
      start,
      len,
      'write $arg* (or args) as its own argument, without a name, type or dereference',
    );
  }
  if (name.length === 0) {
    throw cur.error('E_SPEC_ARG', "missing variable name after '$'", start, 1, VARIABLES_HINT);
  }
  throw cur.error(
    'E_SPEC_ARG',
    `unknown variable ${quote(`$${name}`)}`,
    start,
    len,
    VARIABLES_HINT,
  );
}

export function argN(
  cur: Cursor,
  digits: string,
  start: number,
  span: { start: number; end: number },
): FetchExpr {
  const index = digits.length > 5 ? Number.POSITIVE_INFINITY : Number(digits);
  if (index === 0) {
    throw cur.error(
      'E_SPEC_ARG',
      'argument numbers start at 1',
      start,
      span.end - start,
      'the first argument is $arg1 (or arg1)',
    );
  }
  if (index > LIMITS.argIndex) {
    throw cur.error(
      'E_SPEC_ARG',
      `argument number ${digits} is too big`,
      start,
      span.end - start,
      `argument numbers go from 1 to ${LIMITS.argIndex}`,
    );
  }
  return { kind: 'argN', index, span };
}

export function parseImmediate(cur: Cursor): FetchExpr {
  const start = cur.pos;
  cur.pos++;
  if (cur.peek() === '"') {
    const quoteAt = cur.pos;
    cur.pos++;
    for (;;) {
      const c = cur.peek();
      if (c === '"') break;
      if (c === '' || isWs(c)) {
        const why =
          c === '' ? 'unterminated immediate string' : 'an immediate string cannot contain spaces';
        throw cur.error('E_SPEC_ARG', why, c === '' ? quoteAt : cur.pos, 1, IMM_HINT);
      }
      if (c === '#' || c === ':') {
        throw cur.error(
          'E_SPEC_ARG',
          `an immediate string cannot contain ${quote(c)}`,
          cur.pos,
          1,
          "tracefs reads '#' as a comment and ':' as the type separator",
        );
      }
      cur.pos++;
    }
    cur.pos++;
    return { kind: 'imm', value: cur.src.slice(start + 1, cur.pos), span: { start, end: cur.pos } };
  }
  const sign = cur.peek() === '-' || cur.peek() === '+' ? cur.peek() : '';
  if (sign) cur.pos++;
  const text = cur.take(isNumChar);
  const value = sign + text;
  if (text.length === 0) {
    throw cur.error('E_SPEC_ARG', "missing immediate value after '\\'", start, 1, IMM_HINT);
  }
  const v = parseSignedCNumber(value);
  if (v === null || (sign === '' && !fitsU64(v))) {
    throw cur.error(
      'E_SPEC_ARG',
      `bad immediate value ${quote(value)}`,
      start + 1,
      value.length,
      IMM_HINT,
    );
  }
  return { kind: 'imm', value, span: { start, end: cur.pos } };
}

/** `base->a.b->c`; returns `base` itself when no member follows. */
export function withMembers(cur: Cursor, base: FetchExpr): FetchExpr {
  const path: { op: '->' | '.'; name: string }[] = [];
  for (;;) {
    const c = cur.peek();
    let op: '->' | '.';
    if (c === '-' && cur.peek(1) === '>') op = '->';
    else if (c === '.') op = '.';
    else if (c === '-' && (isIdentStart(cur.peek(1)) || cur.peek(1) === '')) {
      throw cur.error(
        'E_SPEC_ARG',
        "a single '-' in a member path",
        cur.pos,
        1,
        "write '->' to follow a pointer, e.g. file->f_path",
      );
    } else break;
    const opAt = cur.pos;
    cur.pos += op.length;
    const name = cur.take(isIdentChar);
    if (name.length === 0 || !isIdentStart(name[0])) {
      throw cur.error(
        'E_SPEC_ARG',
        `missing member name after ${quote(op)}`,
        opAt,
        op.length,
        'write base->member or base.member, e.g. file->f_path.dentry',
      );
    }
    path.push({ op, name });
  }
  if (path.length === 0) return base;
  return { kind: 'member', base, path, span: { start: base.span.start, end: cur.pos } };
}
