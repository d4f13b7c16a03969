/** The probekit argument list: `(dfd:s32, filename:string, f=+8(arg2):u32, args)`. */
import { type ArgContext, checkArg } from './checks.js';
import { quote } from './codes.js';
import type { Cursor } from './cursor.js';
import { parseFetchAt } from './fetch.js';
import { isIdentChar, isWs, LIMITS } from './lexical.js';
import { checkArgName, checkDuplicates } from './names.js';
import { parseTypeAt } from './type.js';
import type { ArgSpec, FetchExpr, TypeSpec } from './types.js';

export interface ParsedArgs {
  readonly args: ArgSpec[];
  readonly allArgs: boolean;
}

const ARG_HINT =
  'an argument is NAME, NAME:TYPE, NAME=FETCH[:TYPE], argN, retval, comm, stackN or args';

/** The field name an unnamed argument gets, or null when it needs `NAME=`. */
export function defaultArgName(e: FetchExpr): string | null {
  switch (e.kind) {
    case 'param':
      return e.name;
    case 'argN':
      return `arg${e.index}`;
    case 'retval':
      return 'retval';
    case 'comm':
      return 'comm';
    case 'stack':
      return e.index === null ? 'stack' : `stack${e.index}`;
    case 'member': {
      const base = defaultArgName(e.base);
      return base === null ? null : [base, ...e.path.map((p) => p.name)].join('_');
    }
    default:
      return null;
  }
}

/** `$arg*` or `args` as a whole argument: returns its width, or 0. */
function allArgsWidth(cur: Cursor): number {
  const w = cur.startsWith('$arg*') ? 5 : cur.startsWith('args') ? 4 : 0;
  if (w === 0) return 0;
  const next = cur.peek(w);
  return next === '' || next === ',' || next === ')' || next === ':' || isWs(next) ? w : 0;
}

/** Parses the list; the cursor is on `(`. Leaves the cursor after `)`. */
export function parseArgList(cur: Cursor, ctx: ArgContext): ParsedArgs {
  const open = cur.pos;
  cur.pos++;
  const args: ArgSpec[] = [];
  let allArgsAt = -1;
  const unclosed = () =>
    cur.error('E_SPEC_ARG', "unclosed '('", open, 1, "close the argument list with ')'");
  cur.skipWs();
  if (cur.eat(')')) return { args, allArgs: false };
  for (;;) {
    cur.skipWs();
    const c = cur.peek();
    if (c === '') throw unclosed();
    if (c === ',' || c === ')') {
      throw cur.error(
        'E_SPEC_ARG',
        'empty argument',
        cur.pos,
        1,
        c === ')' ? "remove the trailing ','" : "remove the extra ','",
      );
    }
    const w = allArgsWidth(cur);
    if (w > 0) {
      const start = cur.pos;
      const text = cur.src.slice(start, start + w);
      if (allArgsAt >= 0) {
        throw cur.error(
          'E_SPEC_ARG',
          `${quote(text)} is given twice`,
          start,
          w,
          `${text} already takes every parameter once`,
        );
      }
      cur.pos += w;
      cur.skipWs();
      if (cur.peek() === ':') {
        throw cur.error(
          'E_SPEC_ARG',
          `${quote(text)} takes no type`,
          cur.pos,
          1,
          'each parameter gets the type of its prototype; list a parameter separately to give it a type',
        );
      }
      if (ctx.place === 'kernel' || ctx.place === 'user') {
        if (!ctx.atEntry) {
          throw cur.error(
            'E_SPEC_ARG',
            `function arguments (${text}) are only known at the function entry`,
            start,
            w,
            'drop the offset, or read registers with NAME=%REG',
          );
        }
      }
      allArgsAt = start;
    } else {
      args.push(parseOneArg(cur, ctx));
      if (args.length > LIMITS.args) {
        const a = args[args.length - 1]!;
        throw cur.error(
          'E_SPEC_ARG',
          `too many arguments (more than ${LIMITS.args})`,
          a.span.start,
          a.span.end - a.span.start,
          `a probe records at most ${LIMITS.args} arguments`,
        );
      }
    }
    cur.skipWs();
    if (cur.eat(',')) continue;
    if (cur.eat(')')) break;
    if (cur.atEnd()) throw unclosed();
    throw cur.error(
      'E_SPEC_ARG',
      `expected ',' or ')' after the argument, found ${quote(cur.peek())}`,
      cur.pos,
      1,
      `separate arguments with ','; ${ARG_HINT}`,
    );
  }
  checkDuplicates(cur, args);
  return { args, allArgs: allArgsAt >= 0 };
}

function parseOneArg(cur: Cursor, ctx: ArgContext): ArgSpec {
  const start = cur.pos;
  let name: string | null = null;
  const word = cur.take(isIdentChar);
  cur.skipWs();
  if (cur.peek() === '=' && cur.peek(1) !== '=') {
    if (word.length === 0) {
      throw cur.error('E_SPEC_ARG', "missing argument name before '='", cur.pos, 1, ARG_HINT);
    }
    checkArgName(cur, word, start);
    name = word;
    cur.pos++;
    cur.skipWs();
  } else {
    cur.pos = start;
  }
  const expr = parseFetchAt(cur, ctx);
  let end = cur.pos;
  cur.skipWs();
  let type: TypeSpec | null = null;
  if (cur.eat(':')) {
    cur.skipWs();
    type = parseTypeAt(cur);
    end = type.span.end;
  } else {
    cur.pos = end;
  }
  let finalName = name;
  if (finalName === null) {
    finalName = defaultArgName(expr);
    const text = cur.src.slice(expr.span.start, expr.span.end);
    if (finalName === null) {
      throw cur.error(
        'E_SPEC_ARG',
        `name this argument: ${quote(text)} has no name`,
        expr.span.start,
        expr.span.end - expr.span.start,
        `write NAME=${text}, e.g. x=${text}`,
      );
    }
    checkArgName(cur, finalName, start);
  }
  const arg: ArgSpec = {
    name: finalName,
    explicitName: name !== null,
    expr,
    type,
    span: { start, end },
  };
  checkArg(cur, arg, ctx);
  return arg;
}
