/**
 * Syscall entry points per architecture. Since 4.17 (x86) and 5.0 (arm64),
 * syscalls enter through a `pt_regs` wrapper named `__<arch>_sys_<name>`;
 * the classic `sys_<name>` symbol no longer exists there.
 */
import { endianness } from 'node:os';
import type { ArchName } from '../arch/types.js';

/** Prefix of the syscall wrapper symbol in kallsyms (native ABI). */
export const SYSCALL_WRAPPER_PREFIX = {
  x86_64: '__x64_sys_',
  i386: '__ia32_sys_',
  arm64: '__arm64_sys_',
  arm: 'sys_',
  riscv64: '__riscv_sys_',
  s390x: '__s390x_sys_',
  powerpc64le: '__powerpc_sys_',
  powerpc64: '__powerpc_sys_',
  loongarch64: 'sys_',
  mips64: 'sys_',
} as const satisfies Record<ArchName, string>;

/** Node's `process.arch` → our architecture name. */
const NODE_ARCH: Readonly<Record<string, ArchName>> = {
  x64: 'x86_64',
  ia32: 'i386',
  arm64: 'arm64',
  arm: 'arm',
  riscv64: 'riscv64',
  s390x: 's390x',
  loong64: 'loongarch64',
  mips64el: 'mips64',
  mips64: 'mips64',
};

/** The architecture this process runs on, or null for one probekit does not know. */
export function hostArchName(): ArchName | null {
  if (process.arch === 'ppc64') return endianness() === 'LE' ? 'powerpc64le' : 'powerpc64';
  return NODE_ARCH[process.arch] ?? null;
}

/** Prefixes of kernel functions named after a syscall, most specific first. */
const SYSCALL_FUNCTION_PREFIXES = [
  ...new Set(Object.values(SYSCALL_WRAPPER_PREFIX).filter((p) => p !== 'sys_')),
  '__se_sys_',
  '__do_sys_',
  'do_sys_',
  'ksys_',
  '__sys_',
  'sys_',
] as const;

/**
 * The syscall names a kernel function name suggests: `do_sys_openat2` →
 * [`openat2`, `openat`], `__x64_sys_read` → [`read`]; [] when it is not a syscall-style name.
 */
export function syscallNamesFor(func: string): string[] {
  const prefix = SYSCALL_FUNCTION_PREFIXES.find(
    (p) => func.startsWith(p) && func.length > p.length,
  );
  if (prefix === undefined) return [];
  const base = func.slice(prefix.length);
  const out = [base];
  const noDigits = base.replace(/\d+$/, '');
  if (noDigits !== base && noDigits !== '') out.push(noDigits);
  return out;
}
