/** Argument (event field) names: C identifiers, at most 32 characters, not reserved. */
import { quote } from './codes.js';
import type { Cursor } from './cursor.js';
import { isIdentifier, LIMITS } from './lexical.js';
import type { ArgSpec } from './types.js';

/** Field names the event format already uses; `common_*` is reserved as a prefix. */
export const RESERVED_ARG_NAMES = ['__probe_ip', '__probe_ret_ip', '__probe_func'] as const;

const RESERVED_HINT =
  'names starting with common_ and the names __probe_ip, __probe_ret_ip, __probe_func belong to the event format';

/** Throws unless `name` (at column `at`) can name an event field. */
export function checkArgName(cur: Cursor, name: string, at: number): void {
  if (!isIdentifier(name)) {
    throw cur.error(
      'E_SPEC_ARG',
      `argument name ${quote(name)} is not a C identifier`,
      at,
      name.length,
      'names use letters, digits and _, and do not start with a digit',
    );
  }
  if (name.length > LIMITS.argName) {
    throw cur.error(
      'E_SPEC_ARG',
      `argument name ${quote(name)} is longer than ${LIMITS.argName} characters`,
      at,
      name.length,
      'choose a shorter name with NAME=...',
    );
  }
  if (name.startsWith('common_') || (RESERVED_ARG_NAMES as readonly string[]).includes(name)) {
    throw cur.error(
      'E_SPEC_ARG',
      `argument name ${quote(name)} is reserved`,
      at,
      name.length,
      RESERVED_HINT,
    );
  }
}

/** Throws when two arguments share a name. */
export function checkDuplicates(cur: Cursor, args: readonly ArgSpec[]): void {
  const seen = new Set<string>();
  for (const arg of args) {
    if (seen.has(arg.name)) {
      const len = arg.explicitName ? arg.name.length : arg.span.end - arg.span.start;
      throw cur.error(
        'E_SPEC_ARG',
        `argument name ${quote(arg.name)} is used twice`,
        arg.span.start,
        len,
        'give each argument its own name with NAME=...',
      );
    }
    seen.add(arg.name);
  }
}

/** Whether an event name or group name is acceptable (`-` allowed in groups). */
export function isEventName(name: string, group: boolean): boolean {
  if (name.length === 0 || name.length > LIMITS.eventName) return false;
  return group ? /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) : isIdentifier(name);
}
