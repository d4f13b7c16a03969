/** Syscall number → name for the architectures probekit has a table for. */
import { SYSCALLS_ARM64 } from './syscalls-arm64.js';
import { SYSCALLS_X86_64 } from './syscalls-x86_64.js';

const TABLES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  x86_64: SYSCALLS_X86_64,
  arm64: SYSCALLS_ARM64,
};

/** True when there is a syscall table for this architecture. */
export function hasSyscallTable(arch: string | null): boolean {
  return arch !== null && arch in TABLES;
}

/** The name of syscall `nr` on `arch`, or `syscall_<nr>` when the table does not know it. */
export function syscallName(arch: string | null, nr: number): string {
  const table = arch === null ? undefined : TABLES[arch];
  return table?.[nr] ?? `syscall_${nr}`;
}

/** The number of a syscall by name on `arch`, or null. */
export function syscallNumber(arch: string | null, name: string): number | null {
  const table = arch === null ? undefined : TABLES[arch];
  if (!table) return null;
  for (const [nr, n] of Object.entries(table)) if (n === name) return Number(nr);
  return null;
}
