/** The header and place of a raw kernel line: maxactive, `GRP/EVENT`, kernel and uprobe places. */
import { quote } from './codes.js';
import type { Cursor } from './cursor.js';
import { fitsU64, isDigit, LIMITS, parseCNumber } from './lexical.js';
import { isEventName } from './names.js';
import type { Token } from './raw-tokens.js';
import { parseKernelPlace } from './target.js';
import type { KernelTarget, UserTarget } from './types.js';

/** The MAXACTIVE digits of an `rN` header, at column `at`. */
export function parseMaxactive(
  cur: Cursor,
  kindChar: 'p' | 'r',
  text: string,
  at: number,
): number | null {
  if (text.length === 0) return null;
  if (kindChar === 'p') {
    throw cur.error(
      'E_SPEC_RAW',
      'maxactive is only for function exit',
      at,
      text.length,
      `write r${text} for a return probe, or p without a number`,
    );
  }
  const v = parseCNumber(text);
  if (v === null || v === 0n) {
    throw cur.error(
      'E_SPEC_RAW',
      `invalid maxactive number ${quote(text)}`,
      at,
      text.length,
      `maxactive is 1 to ${LIMITS.maxactive}; leave it out for the default`,
    );
  }
  if (v > BigInt(LIMITS.maxactive)) {
    throw cur.error(
      'E_SPEC_RAW',
      `maxactive ${quote(text)} is too big`,
      at,
      text.length,
      `maxactive is at most ${LIMITS.maxactive}`,
    );
  }
  return Number(v);
}

/** `[GRP/]EVENT` after the header's `:`. */
export function parseEventSpec(
  cur: Cursor,
  spec: string | null,
  at: number,
): { group: string | null; event: string | null } {
  if (spec === null) return { group: null, event: null };
  const hint = 'write p:EVENT or p:GROUP/EVENT with C identifiers of at most 63 characters';
  if (spec.length === 0) throw cur.error('E_SPEC_RAW', "missing event name after ':'", at, 1, hint);
  const slash = spec.indexOf('/');
  let group: string | null = null;
  let event = spec;
  let eventAt = at;
  if (slash >= 0) {
    group = spec.slice(0, slash);
    event = spec.slice(slash + 1);
    eventAt = at + slash + 1;
    if (group.length === 0)
      throw cur.error('E_SPEC_RAW', "missing group name before '/'", at, 1, hint);
    if (!isEventName(group, true)) {
      throw cur.error(
        'E_SPEC_RAW',
        `group name ${quote(group)} must be a C identifier`,
        at,
        group.length,
        hint,
      );
    }
  } else {
    const dot = spec.indexOf('.');
    if (dot >= 0) {
      throw cur.error(
        'E_SPEC_RAW',
        `unexpected '.' in event name ${quote(spec)}`,
        at + dot,
        1,
        'write GROUP/EVENT (the GROUP.EVENT form needs kernel 6.2+)',
      );
    }
  }
  if (event.length === 0) return { group, event: null };
  if (!isEventName(event, false)) {
    throw cur.error(
      'E_SPEC_RAW',
      `event name ${quote(event)} must be a C identifier`,
      eventAt,
      event.length,
      hint,
    );
  }
  return { group, event };
}

/**
 * A kernel place token: `[MOD:]SYM[+offs][%return]` or an address. A return
 * probe (from the header or the suffix) must sit at the function entry.
 */
export function parseRawKernelPlace(
  cur: Cursor,
  tok: Token,
  returnHeader: boolean,
): { target: KernelTarget; returnSuffix: boolean } {
  let text = tok.text;
  let returnSuffix = false;
  const pct = text.indexOf('%');
  if (pct >= 0) {
    const suffix = text.slice(pct);
    if (suffix !== '%return') {
      throw cur.error(
        'E_SPEC_TARGET',
        `bad place suffix ${quote(suffix)}`,
        tok.start + pct,
        suffix.length,
        'the only suffix is %return',
      );
    }
    text = text.slice(0, pct);
    returnSuffix = true;
    if (isDigit(text[0])) {
      throw cur.error(
        'E_SPEC_TARGET',
        'the %return suffix needs a function name',
        tok.start + pct,
        suffix.length,
        'write r ADDRESS for a return probe at an address',
      );
    }
  }
  const minus = text.indexOf('-');
  if (minus >= 0 && !isDigit(text[0])) {
    throw cur.error(
      'E_SPEC_TARGET',
      'negative offsets are not allowed',
      tok.start + minus,
      text.length - minus,
      'probe the function and an offset into it: FUNC+OFFS',
    );
  }
  const t = parseKernelPlace(cur, text, tok.start, false, '');
  if ((returnHeader || returnSuffix) && t.offset !== 0n) {
    const plus = text.indexOf('+');
    throw cur.error(
      'E_SPEC_TARGET',
      'a return probe must be at the function entry',
      tok.start + plus,
      text.length - plus,
      'drop the offset',
    );
  }
  return {
    target: { ...t, span: { start: tok.start, end: tok.start + tok.text.length } },
    returnSuffix,
  };
}

/** `PATH:OFFSET[%return][(REF_CTR_OFFSET)]`, split at the last `:`. */
export function parseRawUserPlace(
  cur: Cursor,
  tok: Token,
): { target: UserTarget; returnSuffix: boolean } {
  const text = tok.text;
  const colon = text.lastIndexOf(':');
  const path = text.slice(0, colon);
  let rest = text.slice(colon + 1);
  const restAt = tok.start + colon + 1;
  const hint =
    'a raw uprobe place is PATH:OFFSET[%return][(REF_CTR_OFFSET)] with a file offset; to probe a symbol write u:PATH:SYMBOL';
  if (path.length === 0)
    throw cur.error('E_SPEC_TARGET', "missing path before ':'", tok.start, 1, hint);
  if (!isDigit(rest[0])) {
    throw cur.error(
      'E_SPEC_TARGET',
      `bad uprobe offset ${quote(rest)}`,
      restAt,
      Math.max(1, rest.length),
      hint,
    );
  }
  let refCtrOffset: bigint | null = null;
  const open = rest.indexOf('(');
  if (open >= 0) {
    const close = rest.indexOf(')', open);
    if (close < 0) {
      throw cur.error(
        'E_SPEC_TARGET',
        'reference counter brace is not closed',
        restAt + open,
        rest.length - open,
        "write PATH:OFFSET(0xREF_CTR_OFFSET) with a ')'",
      );
    }
    if (close !== rest.length - 1) {
      throw cur.error(
        'E_SPEC_TARGET',
        `unexpected ${quote(rest.slice(close + 1))} after the reference counter`,
        restAt + close + 1,
        rest.length - close - 1,
        hint,
      );
    }
    const refText = rest.slice(open + 1, close);
    refCtrOffset = parseCNumber(refText);
    if (refCtrOffset === null || !fitsU64(refCtrOffset)) {
      throw cur.error(
        'E_SPEC_TARGET',
        `bad reference counter offset ${quote(refText)}`,
        restAt + open + 1,
        Math.max(1, refText.length),
        'write the semaphore file offset as a number, e.g. (0x1234)',
      );
    }
    rest = rest.slice(0, open);
  }
  let returnSuffix = false;
  const pct = rest.indexOf('%');
  if (pct >= 0) {
    const suffix = rest.slice(pct);
    if (suffix !== '%return') {
      throw cur.error(
        'E_SPEC_TARGET',
        `bad place suffix ${quote(suffix)}`,
        restAt + pct,
        suffix.length,
        'the only suffix is %return',
      );
    }
    returnSuffix = true;
    rest = rest.slice(0, pct);
  }
  const offset = parseCNumber(rest);
  if (offset === null || !fitsU64(offset)) {
    throw cur.error(
      'E_SPEC_TARGET',
      `bad uprobe offset ${quote(rest)}`,
      restAt,
      Math.max(1, rest.length),
      hint,
    );
  }
  const span = { start: tok.start, end: tok.start + text.length };
  return { target: { kind: 'user', path, symbol: null, offset, refCtrOffset, span }, returnSuffix };
}
