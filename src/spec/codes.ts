/**
 * Error codes the probe-language parser raises. Every parse failure is a
 * SpecError with one of these codes, the input, a caret column and a hint.
 */
import { SpecError } from '../errors.js';

export const SPEC_ERROR_CODES = {
  /** Empty input, stray text after the probe, an over-long line. */
  E_SPEC_SYNTAX: 'the line does not have the shape KIND:TARGET[(ARGS)] [if FILTER]',
  /** Unknown or missing probe kind (`x:foo`, `vfs_read`). */
  E_SPEC_KIND: 'unknown or missing probe kind',
  /** Bad function, module, path, symbol, offset, address or tracepoint name. */
  E_SPEC_TARGET: 'bad probe target',
  /** Bad argument list, argument name or fetch expression. */
  E_SPEC_ARG: 'bad argument',
  /** Unknown type, bad bitfield or array, or a type the fetch cannot have. */
  E_SPEC_TYPE: 'bad type',
  /** Bad filter expression after `if`. */
  E_SPEC_FILTER: 'bad filter',
  /** Raw kernel line problems: header, maxactive, group/event names, removal lines. */
  E_SPEC_RAW: 'bad raw kernel definition line',
} as const satisfies Record<string, string>;

export type SpecErrorCode = keyof typeof SPEC_ERROR_CODES;

/** Builds the SpecError for a bad spot `[column, column+length)` in `input`. */
export function specError(
  code: SpecErrorCode,
  message: string,
  input: string,
  column: number,
  length: number,
  hint: string,
): SpecError {
  return new SpecError(code, message, { input, column, length: Math.max(1, length), hint });
}

/** Quotes a piece of user text for a message, shortened when long. */
export function quote(text: string): string {
  const t = text.length > 32 ? `${text.slice(0, 29)}...` : text;
  return `'${t}'`;
}
