/** Fetch types after `:`: `u32`, `string`, `b4@3/32`, `u8[16]` (kernel-interfaces.md §1.5). */

import { quote } from './codes.js';
import { type Cursor, cursorFor } from './cursor.js';
import { isWs, LIMITS } from './lexical.js';
import type { BaseType, TypeSpec } from './types.js';

/** Every base type tracefs knows, with its storage size in bytes (0 = dynamic string). */
export const BASE_TYPES = {
  u8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  s8: 1,
  s16: 2,
  s32: 4,
  s64: 8,
  x8: 1,
  x16: 2,
  x32: 4,
  x64: 8,
  char: 1,
  string: 0,
  ustring: 0,
  symbol: 8,
  symstr: 0,
  '%pd': 0,
  '%pD': 0,
} as const satisfies Record<BaseType, number>;

export const TYPES_HINT =
  'types are u8..u64, s8..s64, x8..x64, char, string, ustring, symbol, symstr, %pd, %pD, b<width>@<offset>/<container>, TYPE[N]';

const BITFIELD_HINT =
  'write b<width>@<bit offset>/<container>, e.g. b4@3/32 (container 8, 16, 32 or 64)';

function isBaseType(s: string): s is BaseType {
  return Object.hasOwn(BASE_TYPES, s);
}

/** Where a type token ends: `,` `)` whitespace or the end. */
function isTypeChar(c: string): boolean {
  return c !== ',' && c !== ')' && !isWs(c);
}

/** Parses the type token at the cursor (the text after `:`). */
export function parseTypeAt(cur: Cursor): TypeSpec {
  const start = cur.pos;
  const text = cur.take(isTypeChar);
  const end = cur.pos;
  if (text.length === 0) {
    throw cur.error('E_SPEC_TYPE', "missing type after ':'", start, 1, TYPES_HINT);
  }
  let baseText = text;
  let array: number | null = null;
  const open = text.indexOf('[');
  if (open >= 0) {
    baseText = text.slice(0, open);
    const close = text.indexOf(']', open);
    if (close < 0) {
      throw cur.error(
        'E_SPEC_TYPE',
        "unclosed '[' in array type",
        start + open,
        1,
        'write TYPE[N], e.g. u8[16]',
      );
    }
    if (close !== text.length - 1) {
      const col = start + close + 1;
      throw cur.error(
        'E_SPEC_TYPE',
        `unexpected ${quote(text.slice(close + 1))} after the array size`,
        col,
        end - col,
        'write TYPE[N], e.g. u8[16]',
      );
    }
    const n = text.slice(open + 1, close);
    if (!/^[0-9]+$/.test(n)) {
      const what = n.length === 0 ? 'missing array size' : `bad array size ${quote(n)}`;
      throw cur.error(
        'E_SPEC_TYPE',
        what,
        start + open + 1,
        Math.max(1, n.length),
        `arrays hold 1 to ${LIMITS.arrayLength} elements, e.g. u8[16]`,
      );
    }
    const count = n.length > 6 ? Number.POSITIVE_INFINITY : Number(n);
    if (count < 1) {
      throw cur.error(
        'E_SPEC_TYPE',
        'array size must be at least 1',
        start + open + 1,
        n.length,
        `arrays hold 1 to ${LIMITS.arrayLength} elements`,
      );
    }
    if (count > LIMITS.arrayLength) {
      throw cur.error(
        'E_SPEC_TYPE',
        `array of ${n} elements is too big`,
        start + open + 1,
        n.length,
        `arrays hold at most ${LIMITS.arrayLength} elements`,
      );
    }
    array = count;
  }
  const baseEnd = start + baseText.length;
  if (baseText.length === 0) {
    throw cur.error('E_SPEC_TYPE', "missing element type before '['", start, 1, TYPES_HINT);
  }
  if (baseText.startsWith('b') && /[0-9@/]/.test(baseText.charAt(1))) {
    const bitfield = parseBitfield(cur, baseText, start);
    if (array !== null) {
      throw cur.error(
        'E_SPEC_TYPE',
        'a bitfield cannot be an array',
        baseEnd,
        end - baseEnd,
        'read the bitfield once, or read the whole container as an array',
      );
    }
    return { base: `u${bitfield.container}`, bitfield, array, text, span: { start, end } };
  }
  if (!isBaseType(baseText)) {
    throw cur.error(
      'E_SPEC_TYPE',
      `unknown type ${quote(baseText)}`,
      start,
      baseText.length,
      TYPES_HINT,
    );
  }
  if (array !== null && (baseText === '%pd' || baseText === '%pD')) {
    throw cur.error(
      'E_SPEC_TYPE',
      `type ${quote(baseText)} cannot be an array`,
      baseEnd,
      end - baseEnd,
      'read one dentry or file name per argument',
    );
  }
  return { base: baseText, bitfield: null, array, text, span: { start, end } };
}

function parseBitfield(
  cur: Cursor,
  text: string,
  start: number,
): NonNullable<TypeSpec['bitfield']> {
  const m = /^b([0-9]{1,3})@([0-9]{1,3})\/([0-9]{1,3})$/.exec(text);
  if (!m) {
    throw cur.error(
      'E_SPEC_TYPE',
      `bad bitfield ${quote(text)}`,
      start,
      text.length,
      BITFIELD_HINT,
    );
  }
  const width = Number(m[1]);
  const offset = Number(m[2]);
  const container = Number(m[3]);
  if (container !== 8 && container !== 16 && container !== 32 && container !== 64) {
    const col = start + text.indexOf('/') + 1;
    throw cur.error(
      'E_SPEC_TYPE',
      `bitfield container must be 8, 16, 32 or 64, not ${container}`,
      col,
      m[3]!.length,
      BITFIELD_HINT,
    );
  }
  if (width < 1) {
    throw cur.error(
      'E_SPEC_TYPE',
      'bitfield width must be at least 1',
      start + 1,
      m[1]!.length,
      BITFIELD_HINT,
    );
  }
  if (width + offset > container) {
    throw cur.error(
      'E_SPEC_TYPE',
      `bitfield ${quote(text)} does not fit: ${width} bits at bit ${offset} need more than ${container} bits`,
      start,
      text.length,
      'the bit offset plus the width must be at most the container size',
    );
  }
  return { width, offset, container };
}

/**
 * Parses a type written on its own (`u32`, `b4@3/32`, `char[8]`). `offset` is
 * where `text` sits in `whole`, so spans and carets point into the whole line.
 */
export function parseType(text: string, offset = 0, whole: string = text): TypeSpec {
  const cur = cursorFor(text, offset, whole);
  const type = parseTypeAt(cur);
  cur.skipWs();
  if (!cur.atEnd()) {
    throw cur.error(
      'E_SPEC_TYPE',
      `unexpected ${quote(cur.word())} after the type`,
      cur.pos,
      1,
      TYPES_HINT,
    );
  }
  return type;
}
