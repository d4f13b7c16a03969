/**
 * Probe targets in the probekit language: `FUNC[+OFFS]`, `MOD:FUNC`, `0xADDR`
 * (kernel), `PATH:SYMBOL[+OFFS]` or `PATH:0xOFFSET` (user), `GROUP:EVENT`.
 */
import { quote } from './codes.js';
import type { Cursor } from './cursor.js';
import { fitsU64, isDigit, isSymbolChar, isWs, parseCNumber } from './lexical.js';
import type { KernelTarget, ProbeKind, TracepointTarget, UserTarget } from './types.js';

const U32_MAX = 0xffffffffn;
const NUMBER_HINT = 'write a decimal or 0x hexadecimal number';

/** Where a target ends in a probekit line: `(` or whitespace. */
export function isTargetChar(c: string): boolean {
  return c !== '(' && !isWs(c);
}

/** Checks a symbol in `src[start, start+len)`; throws at the first bad character. */
function checkSymbol(
  cur: Cursor,
  sym: string,
  at: number,
  user: boolean,
  what: string,
  hint: string,
): void {
  if (sym.length === 0) {
    throw cur.error('E_SPEC_TARGET', `missing ${what}`, at, 1, hint);
  }
  for (let i = 0; i < sym.length; i++) {
    const c = sym[i]!;
    if (!isSymbolChar(c, user) || (i === 0 && isDigit(c))) {
      const extra = c === '-' ? '; offsets are written +N' : '';
      throw cur.error(
        'E_SPEC_TARGET',
        `unexpected ${quote(c)} in ${what} ${quote(sym)}`,
        at + i,
        1,
        hint + extra,
      );
    }
  }
}

/** `+OFFS` after a symbol: `plusAt` is the column of `+`. */
function parseOffset(cur: Cursor, text: string, plusAt: number, max: bigint): bigint {
  if (text.length === 0) {
    throw cur.error('E_SPEC_TARGET', "missing offset after '+'", plusAt, 1, NUMBER_HINT);
  }
  const v = parseCNumber(text);
  if (v === null) {
    throw cur.error(
      'E_SPEC_TARGET',
      `bad offset ${quote(text)}`,
      plusAt + 1,
      text.length,
      NUMBER_HINT,
    );
  }
  if (v > max) {
    throw cur.error(
      'E_SPEC_TARGET',
      `offset ${quote(text)} is too big`,
      plusAt + 1,
      text.length,
      `offsets go up to 0x${max.toString(16)}`,
    );
  }
  return v;
}

/**
 * A kernel place: `FUNC[+OFFS]`, `MOD:FUNC[+OFFS]` or an address.
 * `tok` sits at column `at`. Return probes take no offset.
 */
export function parseKernelPlace(
  cur: Cursor,
  tok: string,
  at: number,
  isReturn: boolean,
  kindText: string,
): KernelTarget {
  const span = { start: at, end: at + tok.length };
  const hint = `write ${kindText}FUNC, ${kindText}MOD:FUNC${isReturn ? '' : ', ' + kindText + 'FUNC+OFFS'} or ${kindText}0xADDRESS`;
  if (tok.length === 0) {
    throw cur.error('E_SPEC_TARGET', `missing function name after ${quote(kindText)}`, at, 1, hint);
  }
  if (isDigit(tok[0])) {
    const plus = tok.indexOf('+');
    if (plus >= 0) {
      throw cur.error(
        'E_SPEC_TARGET',
        'an address takes no offset',
        at + plus,
        tok.length - plus,
        'add the offset to the address',
      );
    }
    const address = parseCNumber(tok);
    if (address === null || !fitsU64(address)) {
      throw cur.error(
        'E_SPEC_TARGET',
        `bad address ${quote(tok)}`,
        at,
        tok.length,
        'write the address as 0x hexadecimal, e.g. 0xffffffff81000000',
      );
    }
    return { kind: 'kernel', module: null, symbol: null, address, offset: 0n, span };
  }
  let module: string | null = null;
  let rest = tok;
  let restAt = at;
  const colon = tok.indexOf(':');
  if (colon >= 0) {
    module = tok.slice(0, colon);
    rest = tok.slice(colon + 1);
    restAt = at + colon + 1;
    if (module.length === 0) {
      throw cur.error('E_SPEC_TARGET', "missing module name before ':'", at, 1, hint);
    }
    if (!/^[A-Za-z0-9_-]+$/.test(module)) {
      throw cur.error(
        'E_SPEC_TARGET',
        `bad module name ${quote(module)}`,
        at,
        module.length,
        'module names use letters, digits, _ and -',
      );
    }
    const second = rest.indexOf(':');
    if (second >= 0) {
      throw cur.error('E_SPEC_TARGET', `too many ':' in ${quote(tok)}`, restAt + second, 1, hint);
    }
    if (rest.length === 0) {
      throw cur.error(
        'E_SPEC_TARGET',
        `missing function name after ${quote(`${module}:`)}`,
        restAt,
        1,
        hint,
      );
    }
  }
  const plus = rest.indexOf('+');
  const symbol = plus >= 0 ? rest.slice(0, plus) : rest;
  checkSymbol(cur, symbol, restAt, false, 'function name', hint);
  let offset = 0n;
  if (plus >= 0) {
    const offText = rest.slice(plus + 1);
    if (isReturn) {
      throw cur.error(
        'E_SPEC_TARGET',
        'a return probe takes no offset',
        restAt + plus,
        rest.length - plus,
        `return probes attach at the function entry; drop ${quote(rest.slice(plus))}`,
      );
    }
    offset = parseOffset(cur, offText, restAt + plus, U32_MAX);
  }
  return { kind: 'kernel', module, symbol, address: null, offset, span };
}

/** `PATH:SYMBOL[+OFFS]` or `PATH:FILEOFFSET`, split at the last `:`. */
export function parseUserPlace(
  cur: Cursor,
  tok: string,
  at: number,
  isReturn: boolean,
  kindText: string,
): UserTarget {
  const span = { start: at, end: at + tok.length };
  const hint = `write ${kindText}PATH:SYMBOL or ${kindText}PATH:0xOFFSET, e.g. ${kindText}/bin/bash:readline or ${kindText}libc:malloc`;
  if (tok.length === 0) {
    throw cur.error(
      'E_SPEC_TARGET',
      `missing path and symbol after ${quote(kindText)}`,
      at,
      1,
      hint,
    );
  }
  const colon = tok.lastIndexOf(':');
  if (colon < 0) {
    throw cur.error(
      'E_SPEC_TARGET',
      `missing symbol after the path ${quote(tok)}`,
      at + tok.length,
      1,
      hint,
    );
  }
  const path = tok.slice(0, colon);
  if (path.length === 0) {
    throw cur.error('E_SPEC_TARGET', "missing path before ':'", at, 1, hint);
  }
  const hash = path.indexOf('#');
  if (hash >= 0) {
    throw cur.error(
      'E_SPEC_TARGET',
      "a path cannot contain '#'",
      at + hash,
      1,
      "tracefs reads '#' as the start of a comment",
    );
  }
  const place = tok.slice(colon + 1);
  const placeAt = at + colon + 1;
  if (place.length === 0) {
    throw cur.error('E_SPEC_TARGET', `missing symbol after ${quote(`${path}:`)}`, placeAt, 1, hint);
  }
  if (isDigit(place[0])) {
    const offset = parseCNumber(place);
    if (offset === null || !fitsU64(offset)) {
      throw cur.error(
        'E_SPEC_TARGET',
        `bad file offset ${quote(place)}`,
        placeAt,
        place.length,
        NUMBER_HINT,
      );
    }
    return { kind: 'user', path, symbol: null, offset, refCtrOffset: null, span };
  }
  const plus = place.indexOf('+');
  const symbol = plus >= 0 ? place.slice(0, plus) : place;
  checkSymbol(cur, symbol, placeAt, true, 'symbol', hint);
  let offset = 0n;
  if (plus >= 0) {
    if (isReturn) {
      throw cur.error(
        'E_SPEC_TARGET',
        'a return probe takes no offset',
        placeAt + plus,
        place.length - plus,
        `return probes attach at the function entry; drop ${quote(place.slice(plus))}`,
      );
    }
    offset = parseOffset(cur, place.slice(plus + 1), placeAt + plus, U32_MAX);
  }
  return { kind: 'user', path, symbol, offset, refCtrOffset: null, span };
}

/** `GROUP:EVENT`. */
export function parseTracepointPlace(
  cur: Cursor,
  tok: string,
  at: number,
  kindText: string,
): TracepointTarget {
  const hint = `write ${kindText}GROUP:EVENT, e.g. ${kindText}sched:sched_switch`;
  if (tok.length === 0) {
    throw cur.error('E_SPEC_TARGET', `missing tracepoint after ${quote(kindText)}`, at, 1, hint);
  }
  const colon = tok.indexOf(':');
  if (colon < 0) {
    throw cur.error(
      'E_SPEC_TARGET',
      `missing event name after ${quote(tok)}`,
      at + tok.length,
      1,
      hint,
    );
  }
  const group = tok.slice(0, colon);
  const event = tok.slice(colon + 1);
  const name = /^[A-Za-z0-9_-]+$/;
  if (group.length === 0)
    throw cur.error('E_SPEC_TARGET', "missing group name before ':'", at, 1, hint);
  if (!name.test(group)) {
    throw cur.error(
      'E_SPEC_TARGET',
      `bad tracepoint group ${quote(group)}`,
      at,
      group.length,
      hint,
    );
  }
  if (event.length === 0) {
    throw cur.error(
      'E_SPEC_TARGET',
      `missing event name after ${quote(`${group}:`)}`,
      at + colon + 1,
      1,
      hint,
    );
  }
  if (!name.test(event)) {
    throw cur.error(
      'E_SPEC_TARGET',
      `bad tracepoint event ${quote(event)}`,
      at + colon + 1,
      event.length,
      hint,
    );
  }
  return { kind: 'tracepoint', group, event, span: { start: at, end: at + tok.length } };
}

/** Parses the target at the cursor for `kind`; `kindText` is the prefix as typed (`k:`). */
export function parseTargetAt(
  cur: Cursor,
  kind: ProbeKind,
  kindText: string,
): KernelTarget | UserTarget | TracepointTarget {
  const at = cur.pos;
  const tok = cur.take(isTargetChar);
  switch (kind) {
    case 'kprobe':
    case 'kretprobe':
      return parseKernelPlace(cur, tok, at, kind === 'kretprobe', kindText);
    case 'uprobe':
    case 'uretprobe':
      return parseUserPlace(cur, tok, at, kind === 'uretprobe', kindText);
    case 'tracepoint':
      return parseTracepointPlace(cur, tok, at, kindText);
  }
}
