/** Rendering field values for people (text) and for programs (JSON). */
import { type FieldValue, isFault } from '../stream/types.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * JSON form: integers that fit a double exactly are numbers, larger ones are
 * decimal strings (never rounded); a faulted read is `{"fault":true}`.
 */
export function jsonValue(v: FieldValue): unknown {
  if (typeof v === 'bigint') return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(jsonValue);
  if (isFault(v as FieldValue)) return { fault: true };
  return v;
}

/** Text form: strings quoted, faults as <fault>, arrays in braces. */
export function textValue(v: FieldValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `{${v.map(textValue).join(',')}}`;
  if (isFault(v as FieldValue)) return '<fault>';
  return String(v);
}
