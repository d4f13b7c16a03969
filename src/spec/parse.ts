/** parseProbe: one line of the probe language (or a raw kernel line) into a ProbeSpec. */
import { SpecError } from '../errors.js';
import { parseArgList } from './args.js';
import type { ArgContext } from './checks.js';
import { quote } from './codes.js';
import { Cursor } from './cursor.js';
import { parseFilter } from './filter.js';
import { KINDS_HINT, probeKindOf } from './kinds.js';
import { isIdentChar, isWs, LIMITS } from './lexical.js';
import { isRawHeader, parseRawLine } from './raw.js';
import { parseTargetAt } from './target.js';
import type { ArgSpec, FilterExpr, ProbeSpec } from './types.js';

const SHAPE_HINT =
  'write KIND:TARGET[(ARGS)] [if FILTER], e.g. k:do_sys_open(dfd:s32, filename:string) if dfd == -100';

/**
 * Parses one probe. Throws a SpecError (with the input, the caret column and
 * a hint) for anything malformed; never anything else.
 */
export function parseProbe(text: string): ProbeSpec {
  if (typeof text !== 'string') {
    throw new SpecError('E_SPEC_SYNTAX', 'a probe spec must be a string', { hint: SHAPE_HINT });
  }
  const cur = new Cursor(text);
  if (text.length > LIMITS.lineLength) {
    throw cur.error(
      'E_SPEC_SYNTAX',
      `probe spec is too long (${text.length} characters)`,
      LIMITS.lineLength,
      1,
      `write at most ${LIMITS.lineLength} characters`,
    );
  }
  cur.skipWs();
  if (cur.atEnd()) throw cur.error('E_SPEC_SYNTAX', 'empty probe spec', cur.pos, 1, SHAPE_HINT);
  const first = cur.word();
  if (first.startsWith('-:') || first === '-') {
    throw cur.error(
      'E_SPEC_RAW',
      "removal lines ('-:') are not accepted",
      cur.pos,
      first.length,
      'probekit removes the probes it creates; run probekit cleanup to remove leftovers',
    );
  }
  if (isRawHeader(first)) return parseRawLine(text);

  const kwAt = cur.pos;
  const kw = cur.take(isIdentChar);
  const kind = probeKindOf(kw);
  if (cur.peek() !== ':') {
    if (kw.length === 0) throw cur.error('E_SPEC_KIND', 'missing probe kind', kwAt, 1, KINDS_HINT);
    if (kind !== null)
      throw cur.error(
        'E_SPEC_KIND',
        `missing ':' after ${quote(kw)}`,
        cur.pos,
        1,
        `write ${kw}:TARGET`,
      );
    throw cur.error(
      'E_SPEC_KIND',
      `missing probe kind before ${quote(cur.word(kwAt))}`,
      kwAt,
      kw.length,
      `write k:${kw} for a kernel function or u:PATH:${kw} for a user function; ${KINDS_HINT}`,
    );
  }
  if (kind === null) {
    throw cur.error(
      'E_SPEC_KIND',
      kw.length === 0 ? 'missing probe kind' : `unknown probe kind ${quote(kw)}`,
      kwAt,
      Math.max(1, kw.length),
      KINDS_HINT,
    );
  }
  cur.pos++;
  const kindText = text.slice(kwAt, cur.pos);
  const target = parseTargetAt(cur, kind, kindText);
  const isReturn = kind === 'kretprobe' || kind === 'uretprobe';
  const ctx: ArgContext = {
    names: 'probekit',
    place: target.kind,
    isReturn,
    atEntry:
      target.kind === 'tracepoint' ||
      target.offset === 0n ||
      (target.kind === 'user' && target.symbol === null),
    returnHint: 'use kr:/ur: to read the return value',
    kernelLine: false,
  };
  cur.skipWs();
  let args: ArgSpec[] | null = null;
  let allArgs = false;
  if (cur.peek() === '(') {
    const list = parseArgList(cur, ctx);
    args = list.args;
    allArgs = list.allArgs;
    cur.skipWs();
  }
  let filter: FilterExpr | null = null;
  let filterText: string | null = null;
  if (
    cur.startsWith('if') &&
    (cur.peek(2) === '' || isWs(cur.peek(2)) || cur.peek(2) === '(' || cur.peek(2) === '!')
  ) {
    const at = cur.pos + 2;
    const source = text.slice(at);
    filter = parseFilter(source, at, text);
    filterText = source.trim();
  } else if (!cur.atEnd()) {
    const word = cur.word();
    const hint =
      cur.peek() === '('
        ? 'only one argument list is allowed'
        : "arguments go in parentheses right after the target; a filter starts with 'if'";
    throw cur.error(
      'E_SPEC_SYNTAX',
      `unexpected ${quote(word)} after the probe`,
      cur.pos,
      word.length,
      hint,
    );
  }
  return {
    kind,
    text,
    target,
    args,
    allArgs,
    filter,
    filterText,
    maxactive: null,
    group: null,
    event: null,
    syntax: 'probekit',
  };
}
