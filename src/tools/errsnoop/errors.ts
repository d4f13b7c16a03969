/**
 * Which return values are errors (pure). Kernel and C functions return
 * -errno in a long (-4095..-1) or in an int, whose 32 bits may reach us
 * zero-extended in a 64-bit register (0xfffff001..0xffffffff).
 */
import { MAX_ERRNO } from '../common/errno.js';

/** The errno a return value carries, as a positive number, or null when it is no error. */
export function errnoOfReturn(value: bigint | number): number | null {
  const v = BigInt(value);
  if (v < 0n && v >= -BigInt(MAX_ERRNO)) return Number(-v);
  const low = 0x1_0000_0000n;
  if (v >= low - BigInt(MAX_ERRNO) && v < low) return Number(low - v);
  return null;
}

/** The kernel filter keeping the same values (the return is read as s64). */
export const ERROR_RETURN_FILTER = `retval < 0 && retval >= -${MAX_ERRNO} || retval >= ${0x1_0000_0000 - MAX_ERRNO} && retval <= ${0xffff_ffff}`;
