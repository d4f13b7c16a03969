/**
 * Raw kernel definition lines: `p[:[GRP/]EVENT] PLACE [ARGS]` and
 * `r[MAXACTIVE][:[GRP/]EVENT] PLACE [ARGS]` (kernel-interfaces.md §1.2),
 * validated so that the planner can write them back as typed.
 */
import type { ArgContext } from './checks.js';
import { Cursor } from './cursor.js';
import { parseRawArgs } from './raw-args.js';
import {
  parseEventSpec,
  parseMaxactive,
  parseRawKernelPlace,
  parseRawUserPlace,
} from './raw-place.js';
import { tokenize } from './raw-tokens.js';
import { looksLikeArg, parseShorthand } from './shorthand.js';
import type { KernelTarget, ProbeSpec, UserTarget } from './types.js';

export { isRawHeader, type Token, tokenize } from './raw-tokens.js';

const RAW_HINT =
  'a raw line is p[:[GRP/]EVENT] PLACE [ARGS...] or r[MAXACTIVE][:[GRP/]EVENT] PLACE [ARGS...]';

/** Parses a raw line; the caller has checked that the first token is a `p`/`r` header. */
export function parseRawLine(src: string): ProbeSpec {
  const cur = new Cursor(src);
  const hash = src.indexOf('#');
  if (hash >= 0) {
    throw cur.error(
      'E_SPEC_RAW',
      "'#' starts a comment in tracefs",
      hash,
      1,
      'remove the comment; tracefs would ignore the rest of the line',
    );
  }
  const toks = tokenize(src);
  const head = toks[0]!;
  const kindChar = head.text[0] as 'p' | 'r';
  const colon = head.text.indexOf(':');
  const maxText = head.text.slice(1, colon < 0 ? undefined : colon);
  const nameSpec = colon < 0 ? null : head.text.slice(colon + 1);
  const nameAt = head.start + colon + 1;

  // perf-tools shorthands: p:FUNC [ARGS], r:FUNC [ARGS], p:LIB:SYM [ARGS]
  if (nameSpec !== null && maxText === '' && nameSpec.length > 0) {
    if (nameSpec.includes(':'))
      return parseShorthand(cur, kindChar, nameSpec, nameAt, toks.slice(1), true);
    if (!nameSpec.includes('/') && looksLikeArg(toks[1])) {
      return parseShorthand(cur, kindChar, nameSpec, nameAt, toks.slice(1), false);
    }
  }

  const maxactive = parseMaxactive(cur, kindChar, maxText, head.start + 1);
  const { group, event } = parseEventSpec(cur, nameSpec, nameAt);

  const placeTok = toks[1];
  if (placeTok === undefined) {
    throw cur.error(
      'E_SPEC_RAW',
      'missing probe place',
      src.trimEnd().length,
      1,
      `${RAW_HINT}, e.g. p:myprobe vfs_read`,
    );
  }
  let isReturn = kindChar === 'r';
  let target: KernelTarget | UserTarget;
  let place: 'kernel' | 'user';
  if (placeTok.text.includes('/') && placeTok.text.includes(':')) {
    place = 'user';
    const r = parseRawUserPlace(cur, placeTok);
    target = r.target;
    isReturn ||= r.returnSuffix;
    if (maxactive !== null) {
      throw cur.error(
        'E_SPEC_RAW',
        'maxactive is only for kernel return probes',
        head.start + 1,
        maxText.length,
        'leave the number out for a uprobe',
      );
    }
  } else {
    place = 'kernel';
    const r = parseRawKernelPlace(cur, placeTok, isReturn);
    target = r.target;
    isReturn ||= r.returnSuffix;
  }
  const ctx: ArgContext = {
    names: 'kernel',
    place,
    isReturn,
    atEntry: target.offset === 0n || (target.kind === 'user' && target.symbol === null),
    returnHint: 'use an r line or the %return suffix to read the return value',
    kernelLine: true,
  };
  const { args, allArgs } = parseRawArgs(cur, toks.slice(2), ctx);
  return {
    kind:
      place === 'kernel' ? (isReturn ? 'kretprobe' : 'kprobe') : isReturn ? 'uretprobe' : 'uprobe',
    text: src,
    target,
    args,
    allArgs,
    filter: null,
    filterText: null,
    maxactive,
    group,
    event,
    syntax: 'raw',
  };
}
