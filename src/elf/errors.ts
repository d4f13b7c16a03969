/**
 * Errors for ELF files. A broken or hostile file gives an `ElfFormatError`
 * (code `E_ELF_…`) that names the file, the table and the byte offset, and says
 * what to do; a lookup the user asked for (a symbol, a library) gives a
 * `UsageError` from the same family of codes.
 */
import { ProbekitError, UsageError } from '../errors.js';

/** Every code this folder raises, with what it means. */
export const ELF_ERROR_CODES = {
  E_ELF_NOT_ELF: 'the file does not start with the ELF magic bytes',
  E_ELF_TRUNCATED: 'a table or header runs past the end of the file',
  E_ELF_BAD_HEADER: 'a header field has an impossible value',
  E_ELF_BAD_TABLE: 'a section, segment, symbol or version table is malformed',
  E_ELF_BAD_STRING: 'a name points outside its string table or is not terminated',
  E_ELF_UNSUPPORTED: 'an ELF class, byte order or version probekit does not read',
  E_ELF_NO_SEGMENT: 'no executable loadable segment holds the address',
  E_ELF_FILE_NOT_FOUND: 'the path does not exist',
  E_ELF_NOT_REGULAR: 'the path is not a regular file',
  E_ELF_READ: 'the file could not be read',
  E_ELF_SYMBOL_NOT_FOUND: 'no function of that name',
  E_ELF_SYMBOL_AMBIGUOUS: 'one name, several addresses',
  E_ELF_NOT_FUNCTION: 'the symbol is data, not code',
  E_ELF_OFFSET_OUT_OF_RANGE: 'the offset is outside the function or the code',
  E_ELF_LIBRARY_NOT_FOUND: 'no library of that name',
  E_ELF_LIBRARY_AMBIGUOUS: 'several different libraries match a short name',
  E_ELF_BAD_LDCACHE: '/etc/ld.so.cache is malformed',
  E_ELF_NO_PROCESS: 'no process with that pid, or its files are not visible',
} as const satisfies Record<`E_ELF_${string}`, string>;

export type ElfErrorCode = keyof typeof ELF_ERROR_CODES;

/** The hint given with every structural error. */
export const CORRUPT_FILE_HINT =
  'the file is damaged or not a normal ELF file; check it with `readelf -a`, or probe by file offset with u:PATH:0xOFFSET';

/** A structural problem in a file: `where` is e.g. "section header 3 at offset 0x1a40". */
export function elfFormatError(
  code: ElfErrorCode,
  file: string,
  what: string,
  details: Record<string, unknown> = {},
  hint: string = CORRUPT_FILE_HINT,
): ProbekitError {
  return new ProbekitError(code, `${file}: ${what}`, { hint, details: { file, ...details } });
}

/** A request about a file that cannot be satisfied (symbol, library, offset). */
export function elfUsageError(
  code: ElfErrorCode,
  message: string,
  hint: string | undefined,
  details: Record<string, unknown> = {},
): UsageError {
  return new UsageError(code, message, hint === undefined ? { details } : { hint, details });
}

/** `0x1a40`, for offsets in messages. */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}
