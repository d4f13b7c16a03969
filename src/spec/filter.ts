/**
 * Filters after ` if `: `filename ~ "/etc/*" && dfd == -100`, with
 * `&& || ! ( )` and `== != < <= > >= & ~`. The planner checks the fields.
 */
import { quote } from './codes.js';
import { type Cursor, cursorFor } from './cursor.js';
import { isDigit, isIdentChar, isIdentStart, LIMITS } from './lexical.js';
import type { FilterExpr } from './types.js';

type Op = Extract<FilterExpr, { kind: 'cmp' }>['op'];

/** Longest first, so `<=` wins over `<`. */
const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '&', '~'] as const satisfies readonly Op[];
const NUMERIC_ONLY: ReadonlySet<Op> = new Set(['<', '<=', '>', '>=', '&']);

const FILTER_HINT =
  'a filter is FIELD OP VALUE joined with && and ||, e.g. dfd == -100 && filename ~ "/etc/*"';
const OP_HINT = 'operators are == != < <= > >= & ~';

function parseOr(cur: Cursor, depth: number): FilterExpr {
  let left = parseAnd(cur, depth);
  for (;;) {
    cur.skipWs();
    const at = cur.pos;
    if (!cur.eat('||')) return left;
    cur.skipWs();
    if (cur.atEnd())
      throw cur.error('E_SPEC_FILTER', "missing condition after '||'", at, 2, FILTER_HINT);
    const right = parseAnd(cur, depth);
    left = { kind: 'or', left, right, span: { start: left.span.start, end: right.span.end } };
  }
}

function parseAnd(cur: Cursor, depth: number): FilterExpr {
  let left = parseUnary(cur, depth);
  for (;;) {
    cur.skipWs();
    const at = cur.pos;
    if (!cur.eat('&&')) return left;
    cur.skipWs();
    if (cur.atEnd())
      throw cur.error('E_SPEC_FILTER', "missing condition after '&&'", at, 2, FILTER_HINT);
    const right = parseUnary(cur, depth);
    left = { kind: 'and', left, right, span: { start: left.span.start, end: right.span.end } };
  }
}

function parseUnary(cur: Cursor, depth: number): FilterExpr {
  cur.skipWs();
  const start = cur.pos;
  if (depth > LIMITS.filterDepth) {
    throw cur.error(
      'E_SPEC_FILTER',
      'filter nests too deeply',
      start,
      1,
      `use at most ${LIMITS.filterDepth} levels of '(' and '!'`,
    );
  }
  if (cur.peek() === '!' && cur.peek(1) !== '=') {
    cur.pos++;
    cur.skipWs();
    if (cur.atEnd())
      throw cur.error('E_SPEC_FILTER', "missing condition after '!'", start, 1, FILTER_HINT);
    const operand = parseUnary(cur, depth + 1);
    return { kind: 'not', operand, span: { start, end: operand.span.end } };
  }
  if (cur.eat('(')) {
    cur.skipWs();
    if (cur.atEnd())
      throw cur.error('E_SPEC_FILTER', "unclosed '(' in filter", start, 1, "close it with ')'");
    const inner = parseOr(cur, depth + 1);
    cur.skipWs();
    if (!cur.eat(')')) {
      if (cur.atEnd())
        throw cur.error('E_SPEC_FILTER', "unclosed '(' in filter", start, 1, "close it with ')'");
      throw cur.error(
        'E_SPEC_FILTER',
        `unexpected ${quote(cur.word())} in filter`,
        cur.pos,
        1,
        `join conditions with && or ||; ${FILTER_HINT}`,
      );
    }
    return inner;
  }
  return parseComparison(cur);
}

function parseComparison(cur: Cursor): FilterExpr {
  const start = cur.pos;
  if (cur.atEnd()) throw cur.error('E_SPEC_FILTER', 'missing condition', start, 1, FILTER_HINT);
  if (!isIdentStart(cur.peek())) {
    throw cur.error(
      'E_SPEC_FILTER',
      `expected a field name, found ${quote(cur.word())}`,
      start,
      1,
      FILTER_HINT,
    );
  }
  const field = cur.take(isIdentChar);
  const fieldSpan = { start, end: cur.pos };
  cur.skipWs();
  const opAt = cur.pos;
  let op: Op | null = null;
  if (!cur.startsWith('&&')) {
    for (const o of OPERATORS) {
      if (cur.eat(o)) {
        op = o;
        break;
      }
    }
  }
  if (op === null) {
    if (cur.peek() === '=') {
      throw cur.error(
        'E_SPEC_FILTER',
        "'=' is not an operator; did you mean '=='?",
        opAt,
        1,
        OP_HINT,
      );
    }
    if (cur.atEnd()) {
      throw cur.error(
        'E_SPEC_FILTER',
        `missing comparison operator after ${quote(field)}`,
        opAt,
        1,
        OP_HINT,
      );
    }
    throw cur.error(
      'E_SPEC_FILTER',
      `expected a comparison operator after ${quote(field)}, found ${quote(cur.word())}`,
      opAt,
      1,
      OP_HINT,
    );
  }
  cur.skipWs();
  const valueAt = cur.pos;
  const value = parseValue(cur, op, opAt);
  if (op === '~' && value.kind !== 'string') {
    throw cur.error(
      'E_SPEC_FILTER',
      "'~' needs a string glob",
      valueAt,
      cur.pos - valueAt,
      `write ${field} ~ "pattern*"`,
    );
  }
  if (NUMERIC_ONLY.has(op) && value.kind !== 'number') {
    throw cur.error(
      'E_SPEC_FILTER',
      `${quote(op)} needs a number`,
      valueAt,
      cur.pos - valueAt,
      'strings compare with ==, != and ~',
    );
  }
  return { kind: 'cmp', field, fieldSpan, op, value, span: { start, end: cur.pos } };
}

function parseValue(
  cur: Cursor,
  op: Op,
  opAt: number,
): Extract<FilterExpr, { kind: 'cmp' }>['value'] {
  const at = cur.pos;
  const c = cur.peek();
  if (c === '') {
    throw cur.error(
      'E_SPEC_FILTER',
      `missing value after ${quote(op)}`,
      opAt + op.length,
      1,
      'write a number (42, 0x2a, -1) or a "string"',
    );
  }
  if (c === '"') {
    cur.pos++;
    const text = cur.take((ch) => ch !== '"');
    if (!cur.eat('"')) {
      throw cur.error('E_SPEC_FILTER', 'unterminated string', at, 1, 'close the string with "');
    }
    return { kind: 'string', text };
  }
  if (isDigit(c) || (c === '-' && isDigit(cur.peek(1)))) {
    if (c === '-') cur.pos++;
    const body = cur.take(isIdentChar);
    const text = cur.src.slice(at, cur.pos);
    if (!/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(body)) {
      throw cur.error(
        'E_SPEC_FILTER',
        `bad number ${quote(text)}`,
        at,
        text.length,
        'write a decimal or 0x hexadecimal number',
      );
    }
    return { kind: 'number', text };
  }
  throw cur.error(
    'E_SPEC_FILTER',
    `expected a number or a "string" after ${quote(op)}, found ${quote(cur.word())}`,
    at,
    1,
    'quote strings: name == "text"',
  );
}

/**
 * Parses a filter. `text` sits at column `offset` of `whole` (the probe
 * line), so spans and carets point into the whole line.
 */
export function parseFilter(text: string, offset = 0, whole: string = text): FilterExpr {
  const cur = cursorFor(text, offset, whole);
  cur.skipWs();
  if (cur.atEnd())
    throw cur.error('E_SPEC_FILTER', "missing filter after 'if'", cur.pos, 1, FILTER_HINT);
  const expr = parseOr(cur, 0);
  cur.skipWs();
  if (!cur.atEnd()) {
    if (cur.peek() === ')')
      throw cur.error(
        'E_SPEC_FILTER',
        "unmatched ')' in filter",
        cur.pos,
        1,
        "remove it or add the '(' it closes",
      );
    throw cur.error(
      'E_SPEC_FILTER',
      `unexpected ${quote(cur.word())} in filter`,
      cur.pos,
      1,
      `join conditions with && or ||; ${FILTER_HINT}`,
    );
  }
  return expr;
}
