/**
 * x86_64. Sources: arch/x86/kernel/ptrace.c (regoffset_table: the pt_regs names
 * without the r/e prefix), arch/x86/include/asm/ptrace.h
 * (regs_get_kernel_argument: di si dx cx r8 r9, then `regs_get_kernel_stack_nth(n - 5)`,
 * so argument 7 is `$stack1`: `$stack0` is the return address at entry).
 * The SysV user ABI passes the same six registers, so uprobes use the same table.
 * pt_regs offsets: arch/x86/include/asm/ptrace.h (struct pt_regs, 64-bit: r15 r14 r13
 * r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss, 8 bytes each,
 * 168 bytes), the offsets regoffset_table in arch/x86/kernel/ptrace.c returns.
 */
import type { ArchInfo } from './types.js';
import { stackSlots } from './util.js';

const ARG_REGS = ['di', 'si', 'dx', 'cx', 'r8', 'r9'] as const;

/** offsetof(struct pt_regs, X), x86_64. */
const PT_REGS_OFFSETS = {
  r15: 0,
  r14: 8,
  r13: 16,
  r12: 24,
  bp: 32,
  bx: 40,
  r11: 48,
  r10: 56,
  r9: 64,
  r8: 72,
  ax: 80,
  cx: 88,
  dx: 96,
  si: 104,
  di: 112,
  orig_ax: 120,
  ip: 128,
  cs: 136,
  flags: 144,
  sp: 152,
  ss: 160,
} as const;

const NUMBERED = ['r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
/** Legacy registers: tracefs name → 64-bit assembler name. */
const LEGACY: Record<string, string> = {
  ax: 'rax',
  bx: 'rbx',
  cx: 'rcx',
  dx: 'rdx',
  si: 'rsi',
  di: 'rdi',
  bp: 'rbp',
  sp: 'rsp',
  ip: 'rip',
  flags: 'rflags',
  orig_ax: 'orig_rax',
};

function asmAliases(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, asm] of Object.entries(LEGACY)) {
    out[asm] = name; // rdi → di
    out[asm.replace(/^(orig_)?r/, '$1e')] = name; // edi → di, eflags → flags, orig_eax → orig_ax
  }
  for (const r of NUMBERED) {
    out[`${r}d`] = r; // r8d → r8
    out[`${r}w`] = r;
  }
  return out;
}

export const x86_64 = {
  name: 'x86_64',
  aliases: ['x86-64', 'amd64', 'x64'],
  bits: 64,
  endian: 'little',
  registers: [
    'r15',
    'r14',
    'r13',
    'r12',
    'r11',
    'r10',
    'r9',
    'r8',
    'bx',
    'cx',
    'dx',
    'si',
    'di',
    'bp',
    'ax',
    'orig_ax',
    'ip',
    'cs',
    'flags',
    'sp',
    'ss',
  ],
  ptRegsOffsets: PT_REGS_OFFSETS,
  ptRegsSize: 168,
  ptRegsMember: {
    ...Object.fromEntries(Object.entries(LEGACY).map(([name, asm]) => [asm, name])),
    ...Object.fromEntries(NUMBERED.map((r) => [r, r])),
    cs: 'cs',
    ss: 'ss',
  },
  asmNames: LEGACY,
  asmAliases: asmAliases(),
  kernel: { argRegs: ARG_REGS, stackArg: stackSlots('x86_64', 7, 1) },
  user: { argRegs: ARG_REGS, stackArg: stackSlots('x86_64', 7, 1) },
  retReg: 'ax',
  spReg: 'sp',
  pcReg: 'ip',
  raReg: null,
  hasArgN: true,
  defaultType: 'x64',
  registerHint: 'tracefs spells x86_64 registers without the r',
  source: 'arch/x86/kernel/ptrace.c, arch/x86/include/asm/ptrace.h',
} as const satisfies ArchInfo;
