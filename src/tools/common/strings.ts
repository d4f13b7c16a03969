/** Reading string arrays recorded by `string[N]` probe arguments, and /proc fallbacks. */
import { readFileSync } from 'node:fs';
import type { FieldValue } from '../../index.js';

/**
 * The strings of an array read from a NULL-terminated `char *[]` (argv): they
 * end at the first element that faulted (the NULL). `truncated` is true when
 * no element faulted, so the list may go on past what was read, or when the
 * kernel's per-event budget cut the strings (an empty element after text).
 */
export function stringList(
  v: FieldValue | undefined,
): { items: string[]; truncated: boolean } | null {
  if (!Array.isArray(v)) return null;
  const items: string[] = [];
  for (const e of v as readonly FieldValue[]) {
    if (typeof e !== 'string') return { items, truncated: false };
    items.push(e);
  }
  return { items, truncated: true };
}

/** The command line of a live process (`/proc/PID/cmdline`), or null when it is gone. */
export function procCmdline(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (raw === '') return null;
    return raw.replace(/\0$/, '').split('\0');
  } catch {
    return null;
  }
}

/** A field of `/proc/PID/status` (`PPid`, `Uid`): the first number, or null. */
export function procStatusNumber(pid: number, field: string): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s*(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Quotes an argument like a shell would need (`-q`): double quotes, inner quotes escaped. */
export function quoteArg(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}
