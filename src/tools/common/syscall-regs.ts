/**
 * Where a syscall's arguments are when a kprobe sits on its pt_regs wrapper
 * (`__x64_sys_openat(const struct pt_regs *regs)`): the register holding the
 * regs pointer and the byte offset of each argument register inside pt_regs.
 * Explicit fetches are used (not `name:ustring[N]`) so that an argv array is
 * read with a user dereference (`+u0(...)`) on every kernel.
 */
export interface SyscallRegs {
  /** Wrapper symbol prefix (`__x64_sys_`). */
  readonly prefix: string;
  /** The register carrying the `struct pt_regs *`. */
  readonly ctx: string;
  /** Offsets in pt_regs of syscall arguments 1..6. */
  readonly args: readonly [number, number, number, number, number, number];
}

export const SYSCALL_REGS = {
  // arch/x86/include/asm/ptrace.h: r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di
  // (8 bytes each); syscall arguments: di si dx r10 r8 r9.
  x86_64: { prefix: '__x64_sys_', ctx: '%di', args: [112, 104, 96, 56, 72, 64] },
  // arch/arm64/include/asm/ptrace.h: regs[31] first; arguments in x0..x5.
  arm64: { prefix: '__arm64_sys_', ctx: '%x0', args: [0, 8, 16, 24, 32, 40] },
} as const satisfies Record<string, SyscallRegs>;

export function syscallRegsFor(arch: string | null): SyscallRegs | null {
  return arch !== null && arch in SYSCALL_REGS
    ? SYSCALL_REGS[arch as keyof typeof SYSCALL_REGS]
    : null;
}

/** A fetch of syscall argument `n` (1-based) as a number. */
export function argFetch(r: SyscallRegs, n: number, type: string): string {
  return `+${r.args[n - 1]}(${r.ctx}):${type}`;
}

/** A fetch of the user string syscall argument `n` points to. */
export function argString(r: SyscallRegs, n: number): string {
  return `+0(+${r.args[n - 1]}(${r.ctx})):ustring`;
}

/** A fetch of the NULL-terminated user `char *[]` syscall argument `n` points to (first `max`). */
export function argStringArray(r: SyscallRegs, n: number, max: number): string {
  return `+u0(+${r.args[n - 1]}(${r.ctx})):ustring[${max}]`;
}
