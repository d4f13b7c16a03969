/** Arguments of a raw kernel line: `[NAME=]FETCH[:TYPE]` tokens. */
import { type ArgContext, checkArg } from './checks.js';
import { quote } from './codes.js';
import { Cursor } from './cursor.js';
import { parseFetchAt } from './fetch.js';
import { LIMITS } from './lexical.js';
import { checkArgName, checkDuplicates } from './names.js';
import type { Token } from './raw-tokens.js';
import { parseTypeAt } from './type.js';
import type { ArgSpec, TypeSpec } from './types.js';

/** `[NAME=]FETCH[:TYPE]` tokens; unnamed ones are called `argN` (or their BTF name). */
export function parseRawArgs(
  cur: Cursor,
  toks: readonly Token[],
  ctx: ArgContext,
): { args: ArgSpec[]; allArgs: boolean } {
  const args: ArgSpec[] = [];
  let allArgs = false;
  if (toks.length > LIMITS.args) {
    const t = toks[LIMITS.args]!;
    throw cur.error(
      'E_SPEC_ARG',
      `too many arguments (more than ${LIMITS.args})`,
      t.start,
      t.text.length,
      `a probe records at most ${LIMITS.args} arguments`,
    );
  }
  toks.forEach((tok, i) => {
    const end = tok.start + tok.text.length;
    if (tok.text === '$arg*') {
      if (allArgs)
        throw cur.error(
          'E_SPEC_ARG',
          "'$arg*' is given twice",
          tok.start,
          5,
          '$arg* already takes every parameter once',
        );
      allArgs = true;
      return;
    }
    const eq = tok.text.indexOf('=');
    let name: string | null = null;
    let bodyAt = tok.start;
    if (eq >= 0) {
      name = tok.text.slice(0, eq);
      if (name.length === 0)
        throw cur.error(
          'E_SPEC_ARG',
          "missing argument name before '='",
          tok.start,
          1,
          'write NAME=FETCH[:TYPE]',
        );
      checkArgName(cur, name, tok.start);
      bodyAt = tok.start + eq + 1;
    }
    const bodyLen = end - bodyAt;
    if (bodyLen === 0) {
      throw cur.error(
        'E_SPEC_ARG',
        `missing fetch argument after ${quote(tok.text)}`,
        bodyAt,
        1,
        'write NAME=FETCH[:TYPE], e.g. dfd=%di:s32',
      );
    }
    if (bodyLen > LIMITS.argBody) {
      throw cur.error(
        'E_SPEC_ARG',
        `argument expression is too long (${bodyLen} characters)`,
        bodyAt,
        bodyLen,
        `tracefs takes at most ${LIMITS.argBody} characters after NAME=`,
      );
    }
    const sub = new Cursor(cur.src, bodyAt, end);
    const expr = parseFetchAt(sub, ctx);
    let type: TypeSpec | null = null;
    if (sub.eat(':')) type = parseTypeAt(sub);
    if (!sub.atEnd()) {
      throw cur.error(
        'E_SPEC_ARG',
        `unexpected ${quote(sub.word())} in argument`,
        sub.pos,
        end - sub.pos,
        'an argument is [NAME=]FETCH[:TYPE] without spaces',
      );
    }
    let finalName = name;
    if (finalName === null) {
      finalName = expr.kind === 'param' ? expr.name : `arg${i + 1}`;
      checkArgName(cur, finalName, tok.start);
    }
    const arg: ArgSpec = {
      name: finalName,
      explicitName: name !== null,
      expr,
      type,
      span: { start: tok.start, end },
    };
    checkArg(cur, arg, ctx);
    args.push(arg);
  });
  checkDuplicates(cur, args);
  return { args, allArgs };
}
