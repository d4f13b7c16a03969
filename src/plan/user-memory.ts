/**
 * Which kernel-function parameters point to user memory. BTF says so with the
 * `user` type tag (`char __user *`), but only kernels built with type-tag
 * support record it (the BTF of Debian's gcc-built kernels does not). Where it
 * is missing we use a documented rule instead: in functions named like a
 * syscall (below), `char *` parameters and the parameters named `filename`,
 * `pathname` and `buf` are user pointers. Explain says which rule applied.
 */
import type { FunctionParam } from './types.js';

/** Name prefixes of kernel functions that receive a syscall's own (user) arguments. */
export const SYSCALL_FUNCTION_PREFIXES = [
  '__x64_sys_',
  '__ia32_sys_',
  '__arm64_sys_',
  '__riscv_sys_',
  '__s390x_sys_',
  '__se_sys_',
  '__do_sys_',
  'do_sys_',
  'ksys_',
] as const satisfies readonly string[];

/** Pointer parameters of such functions that are user memory whatever their type. */
export const USER_PARAM_NAMES = [
  'filename',
  'pathname',
  'buf',
] as const satisfies readonly string[];

/** Why `p` of `func` points to user memory, or null when it is not known to. */
export function userMemoryReason(func: string, p: FunctionParam): string | null {
  if (p.isUserPtr) return `${p.name} points to user memory: its BTF type carries the __user tag`;
  if (!p.isPointer) return null;
  const prefix = SYSCALL_FUNCTION_PREFIXES.find((x) => func.startsWith(x));
  if (prefix === undefined) return null;
  const named = (USER_PARAM_NAMES as readonly string[]).includes(p.name);
  if (!p.isString && !named) return null;
  const what = p.isString ? `a ${p.type} parameter` : `a parameter named ${p.name}`;
  return `${p.name} is read as user memory by rule: ${what} of a syscall function (${prefix}*); this BTF has no __user tags`;
}
