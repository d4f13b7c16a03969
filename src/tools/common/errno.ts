/**
 * Error names for the tools, on top of the library's errno table
 * (src/output/errno.ts: the generic asm-generic numbering plus the kernel's
 * internal codes such as ERESTARTSYS).
 */
import { ERRNO_NAMES, MAX_ERRNO } from '../../index.js';

export { MAX_ERRNO };

/** The errno name of a positive or negative errno value (`-2` → `ENOENT`); `E<n>` when unknown. */
export function errnoName(value: number | bigint): string {
  const n = Math.abs(Number(value));
  return (ERRNO_NAMES as Readonly<Record<number, string>>)[n] ?? `E${n}`;
}

/** True when a return value is a negative errno (-4095 .. -1). */
export function isErrnoReturn(value: number | bigint): boolean {
  const n = Number(value);
  return n < 0 && n >= -MAX_ERRNO;
}
