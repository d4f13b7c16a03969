/** BTF error codes and a constructor that always says where the problem is. */
import { ProbekitError, type ProbekitErrorOptions } from '../errors.js';

export type BtfErrorCode =
  /** The first two bytes are not 0xEB9F in either byte order. */
  | 'E_BTF_BAD_MAGIC'
  | 'E_BTF_BAD_VERSION'
  /** Header fields or section bounds that do not fit the data. */
  | 'E_BTF_BAD_HEADER'
  /** A type record runs past the end of the type section. */
  | 'E_BTF_TRUNCATED'
  | 'E_BTF_UNKNOWN_KIND'
  /** A referenced type id that does not exist. */
  | 'E_BTF_BAD_TYPE_ID'
  /** A name offset outside the string section. */
  | 'E_BTF_BAD_STRING'
  /** A chain of references that comes back to itself (or is absurdly deep). */
  | 'E_BTF_LOOP'
  /** A record whose fields are inconsistent (a FUNC that does not point at a FUNC_PROTO, ...). */
  | 'E_BTF_BAD_TYPE';

const CORRUPT_HINT =
  'the BTF data is corrupt or truncated; re-read it from /sys/kernel/btf, or regenerate it with pahole';

/** A corrupt-input error: what was wrong, with `details` saying where (type id, byte offset). */
export function btfCorrupt(
  code: BtfErrorCode,
  message: string,
  where: { typeId?: number; offset?: number; source?: string },
  options: ProbekitErrorOptions = {},
): ProbekitError {
  const at: string[] = [];
  if (where.typeId !== undefined) at.push(`type id ${where.typeId}`);
  if (where.offset !== undefined) at.push(`byte offset ${where.offset}`);
  const src = where.source ? `${where.source}: ` : '';
  const suffix = at.length > 0 ? ` (at ${at.join(', ')})` : '';
  return new ProbekitError(code, `BTF ${src}${message}${suffix}`, {
    hint: CORRUPT_HINT,
    ...options,
    details: { ...where, ...options.details },
  });
}
