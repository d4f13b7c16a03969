/**
 * Fetch expressions: the kernel fetcharg grammar (kernel-interfaces.md §1.4)
 * plus probekit's names (`filename`, `arg2`, `retval`, `file->f_path.dentry`).
 */
import { quote } from './codes.js';
import { type Cursor, cursorFor } from './cursor.js';
import {
  argN,
  isNumChar,
  parseImmediate,
  parseMemory,
  parseRegister,
  parseVariable,
  VARIABLES_HINT,
  withMembers,
} from './fetch-atoms.js';
import {
  fitsS64,
  isDigit,
  isIdentChar,
  isIdentStart,
  isWs,
  LIMITS,
  parseCNumber,
} from './lexical.js';
import type { FetchExpr } from './types.js';

const DEREF_HINT = 'a dereference is +OFFS(FETCH) or -OFFS(FETCH), e.g. +8(%di) or +0(+16(arg1))';

/** What the fetch may use, from the probe it belongs to. */
export interface FetchContext {
  /**
   * 'probekit': bare `argN`, `retval`, `comm`, `stackN` are the variables and
   * whitespace may surround parentheses. 'kernel': bare names are BTF
   * parameter names, as tracefs reads them.
   */
  readonly names: 'probekit' | 'kernel';
  readonly place: 'kernel' | 'user' | 'tracepoint';
  /** A return probe (`$retval` allowed). */
  readonly isReturn: boolean;
}

/** Parses one fetch expression at the cursor; stops before `:`, `,`, `)` or whitespace. */
export function parseFetchAt(cur: Cursor, ctx: FetchContext, depth = 0): FetchExpr {
  const c = cur.peek();
  switch (c) {
    case '%':
      return parseRegister(cur);
    case '@':
      return parseMemory(cur, ctx);
    case '$':
      return parseVariable(cur);
    case '+':
    case '-':
      return parseDeref(cur, ctx, depth);
    case '\\':
      return parseImmediate(cur);
    default:
      break;
  }
  if (isIdentStart(c)) return parseNamed(cur, ctx);
  const start = cur.pos;
  if (c === '' || c === ',' || c === ')' || isWs(c)) {
    throw cur.error(
      'E_SPEC_ARG',
      'missing fetch argument',
      start,
      1,
      `write a name, %REG, @ADDR, +OFFS(FETCH), \\IMM or a variable; ${VARIABLES_HINT}`,
    );
  }
  if (isDigit(c)) {
    const num = cur.take(isNumChar);
    if (cur.peek() === '(') {
      throw cur.error(
        'E_SPEC_ARG',
        "a dereference starts with '+' or '-'",
        start,
        num.length,
        `write +${num}(...) to read memory at offset ${num}`,
      );
    }
    throw cur.error(
      'E_SPEC_ARG',
      `a bare number ${quote(num)} is not a fetch argument`,
      start,
      num.length,
      `write \\${num} for a constant, or +${num}(FETCH) to read memory`,
    );
  }
  throw cur.error(
    'E_SPEC_ARG',
    `unexpected ${quote(c)} in fetch argument`,
    start,
    1,
    `write a name, %REG, @ADDR, +OFFS(FETCH), \\IMM or a variable; ${VARIABLES_HINT}`,
  );
}

function parseDeref(cur: Cursor, ctx: FetchContext, depth: number): FetchExpr {
  const start = cur.pos;
  const sign = cur.peek();
  cur.pos++;
  const user = cur.peek() === 'u';
  if (user) cur.pos++;
  const numStart = cur.pos;
  const text = cur.take(isNumChar);
  if (text.length === 0) {
    throw cur.error('E_SPEC_ARG', 'missing dereference offset', numStart, 1, DEREF_HINT);
  }
  const v = parseCNumber(text);
  if (v === null || !fitsS64(v)) {
    throw cur.error(
      'E_SPEC_ARG',
      `bad dereference offset ${quote(text)}`,
      numStart,
      text.length,
      DEREF_HINT,
    );
  }
  const open = cur.pos;
  if (!cur.eat('(')) {
    throw cur.error(
      'E_SPEC_ARG',
      "a dereference needs '(' after the offset",
      open,
      1,
      `write ${sign}${user ? 'u' : ''}${text}(FETCH), e.g. ${sign}${text}(%di)`,
    );
  }
  if (depth + 1 > LIMITS.derefDepth) {
    throw cur.error(
      'E_SPEC_ARG',
      'dereferences nest too deeply',
      start,
      open + 1 - start,
      `at most ${LIMITS.derefDepth} nested dereferences`,
    );
  }
  if (ctx.names === 'probekit') cur.skipWs();
  const inner = parseFetchAt(cur, ctx, depth + 1);
  if (inner.kind === 'comm') {
    throw cur.error(
      'E_SPEC_ARG',
      '$comm cannot be dereferenced',
      inner.span.start,
      inner.span.end - inner.span.start,
      '$comm is already the task name as a string; use it alone',
    );
  }
  if (inner.kind === 'imm' && inner.value.startsWith('"')) {
    throw cur.error(
      'E_SPEC_ARG',
      'an immediate string cannot be dereferenced',
      inner.span.start,
      inner.span.end - inner.span.start,
      'use the string alone: NAME=\\"text"',
    );
  }
  if (ctx.names === 'probekit') cur.skipWs();
  if (!cur.eat(')')) {
    const c = cur.peek();
    if (c === '' || c === ',' || isWs(c)) {
      throw cur.error(
        'E_SPEC_ARG',
        "unclosed '(' in dereference",
        open,
        1,
        "close the dereference with ')'",
      );
    }
    throw cur.error('E_SPEC_ARG', `unexpected ${quote(c)} in dereference`, cur.pos, 1, DEREF_HINT);
  }
  return {
    kind: 'deref',
    offset: sign === '-' ? -v : v,
    user,
    inner,
    span: { start, end: cur.pos },
  };
}

function parseNamed(cur: Cursor, ctx: FetchContext): FetchExpr {
  const start = cur.pos;
  const name = cur.take(isIdentChar);
  const span = { start, end: cur.pos };
  if (ctx.names === 'probekit') {
    if (name === 'retval') return withMembers(cur, { kind: 'retval', span });
    if (name === 'comm') return { kind: 'comm', span };
    if (name === 'args') {
      throw cur.error(
        'E_SPEC_ARG',
        "'args' must stand alone in the argument list",
        start,
        name.length,
        'write args as its own argument, without a name, type or dereference',
      );
    }
    const a = /^arg([0-9]+)$/.exec(name);
    if (a) return withMembers(cur, argN(cur, a[1]!, start, span));
    const s = /^stack([0-9]+)$/.exec(name);
    if (s) {
      const index = s[1]!.length > 5 ? Number.POSITIVE_INFINITY : Number(s[1]);
      if (index > LIMITS.stackIndex) {
        throw cur.error(
          'E_SPEC_ARG',
          `stack slot ${quote(s[1]!)} is too big`,
          start,
          name.length,
          `stackN takes N from 0 to ${LIMITS.stackIndex}`,
        );
      }
      return { kind: 'stack', index, span };
    }
  }
  return withMembers(cur, { kind: 'param', name, span });
}

/**
 * Parses a fetch expression written on its own (`+8(%di)`, `@jiffies`,
 * `file->f_path`). `offset` is where `text` sits in `whole`.
 */
export function parseFetch(
  text: string,
  ctx: FetchContext = { names: 'probekit', place: 'kernel', isReturn: false },
  offset = 0,
  whole: string = text,
): FetchExpr {
  const cur = cursorFor(text, offset, whole);
  const expr = parseFetchAt(cur, ctx);
  cur.skipWs();
  if (!cur.atEnd()) {
    throw cur.error(
      'E_SPEC_ARG',
      `unexpected ${quote(cur.word())} after the fetch argument`,
      cur.pos,
      1,
      DEREF_HINT,
    );
  }
  return expr;
}
