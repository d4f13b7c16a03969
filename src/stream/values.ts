/**
 * The typing contract shared by every decoder: integers of 8 bytes are bigint,
 * narrower ones number, both with the field's signedness; strings are text.
 */
import type { FieldFormat } from './format.js';
import { type FieldValue, isFault } from './types.js';

/** An integer (already parsed as bigint) typed for a field of `size` bytes. */
export function intValue(v: bigint, size: number, signed: boolean): bigint | number {
  const bits = Math.min(64, Math.max(1, size) * 8);
  if (size >= 8) return signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
  return Number(signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
}

/** Integer for an element of `field` (an array element or the scalar itself). */
export function fieldInt(v: bigint, field: FieldFormat): bigint | number {
  return intValue(v, field.elementSize, field.signed);
}

const utf8 = new TextDecoder('utf-8');

/** Text from bytes, stopping at the first NUL. */
export function bytesToString(bytes: Uint8Array, start: number, end: number): string {
  let stop = start;
  let ascii = true;
  while (stop < end) {
    const b = bytes[stop]!;
    if (b === 0) break;
    if (b >= 0x80) ascii = false;
    stop++;
  }
  if (!ascii) return utf8.decode(bytes.subarray(start, stop));
  if (stop - start < 64) {
    let s = '';
    for (let i = start; i < stop; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return utf8.decode(bytes.subarray(start, stop));
}

/** Deep equality for field values (bigint-aware). */
export function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') return isFault(a) && isFault(b);
  return a === b;
}
