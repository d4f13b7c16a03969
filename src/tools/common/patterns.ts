/**
 * Function patterns of funccount, funclatency and errsnoop, parsed (pure):
 * `k:vfs_*` or `vfs_*` (kernel functions), `u:LIB:str*` (user functions of a
 * binary or library), `t:GROUP:EVENT` with globs (tracepoints).
 */
import { UsageError } from '../../index.js';

export type FunctionPattern =
  | { readonly kind: 'kernel'; readonly text: string; readonly func: string }
  | { readonly kind: 'user'; readonly text: string; readonly path: string; readonly func: string }
  | {
      readonly kind: 'tracepoint';
      readonly text: string;
      readonly group: string;
      readonly event: string;
    };

export function isGlob(s: string): boolean {
  return /[*?]/.test(s);
}

/** `*` any run of characters, `?` one; the rest literal. */
export function globRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) =>
    c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`,
  );
  return new RegExp(`^${body}$`, 's');
}

const NAME = /^[A-Za-z0-9_.*?@$-]+$/;

export function parseFunctionPattern(tool: string, text: string): FunctionPattern {
  const bad = (why: string): UsageError =>
    new UsageError('E_USAGE', `probekit ${tool}: bad pattern '${text}': ${why}`, {
      hint: "patterns look like 'vfs_*', 'k:do_sys_openat2', 'u:libc:str*', 't:syscalls:sys_enter_*'",
      input: text,
    });
  let m = /^(?:k|p):(.*)$/.exec(text);
  if (m || !text.includes(':')) {
    const func = m ? (m[1] ?? '') : text;
    if (!NAME.test(func)) throw bad('a kernel function name or glob is expected');
    return { kind: 'kernel', text, func };
  }
  m = /^t:([^:]+):([^:]+)$/.exec(text);
  if (m) {
    const group = m[1] ?? '';
    const event = m[2] ?? '';
    if (!NAME.test(group) || !NAME.test(event)) throw bad('t:GROUP:EVENT is expected');
    return { kind: 'tracepoint', text, group, event };
  }
  m = /^u:(.+):([^:]+)$/.exec(text);
  if (m) {
    const path = m[1] ?? '';
    const func = m[2] ?? '';
    if (!NAME.test(func)) throw bad('u:LIBRARY:FUNCTION is expected');
    return { kind: 'user', text, path, func };
  }
  throw bad("it starts with neither 'k:', 'u:' nor 't:'");
}
