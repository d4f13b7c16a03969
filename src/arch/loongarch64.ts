/**
 * loongarch64. Sources: arch/loongarch/kernel/ptrace.c (regoffset_table: r0..r31,
 * orig_a0 and the csr_* names; the ABI names a0, sp, ... are NOT accepted),
 * arch/loongarch/include/asm/ptrace.h (regs_get_kernel_argument: regs[4]..regs[11],
 * then `regs_get_kernel_stack_nth(n - 8)`: argument 9 is `$stack0`).
 * pt_regs offsets: arch/loongarch/include/asm/ptrace.h (struct pt_regs: unsigned long
 * regs[32], orig_a0, csr_era, csr_badvaddr, csr_crmd, csr_prmd, csr_euen, csr_ecfg,
 * csr_estat, then the empty __last[]: 40 × 8 = 320 bytes), the order regoffset_table
 * lists them in.
 */
import { ptRegsLayout } from './pt-regs.js';
import type { ArchInfo } from './types.js';
import { indexed, seq, stackSlots, zip } from './util.js';

const CSR = [
  'csr_era',
  'csr_badvaddr',
  'csr_crmd',
  'csr_prmd',
  'csr_euen',
  'csr_ecfg',
  'csr_estat',
];

/** r0..r31 by ABI name. */
const ABI = [
  'zero',
  'ra',
  'tp',
  'sp',
  ...seq('a', 0, 7),
  ...seq('t', 0, 8),
  'u0',
  'fp',
  ...seq('s', 0, 8),
];

export const loongarch64 = {
  name: 'loongarch64',
  aliases: ['loongarch', 'loong64', 'la64'],
  bits: 64,
  endian: 'little',
  registers: [...seq('r', 0, 31), 'orig_a0', ...CSR],
  ptRegsOffsets: ptRegsLayout(8, [...seq('r', 0, 31), 'orig_a0', ...CSR]),
  ptRegsSize: 320,
  ptRegsMember: { ...indexed('r', 0, 31, 'regs'), orig_a0: 'orig_a0', ...zip(CSR, CSR) },
  asmNames: zip(seq('r', 0, 31), ABI),
  asmAliases: {
    ...zip(ABI, seq('r', 0, 31)),
    v0: 'r4',
    v1: 'r5',
    s9: 'r22',
    pc: 'csr_era',
    era: 'csr_era',
  },
  kernel: { argRegs: seq('r', 4, 11), stackArg: stackSlots('loongarch64', 9, 0) },
  user: { argRegs: seq('r', 4, 11), stackArg: stackSlots('loongarch64', 9, 0) },
  retReg: 'r4',
  spReg: 'r3',
  pcReg: 'csr_era',
  raReg: 'r1',
  hasArgN: true,
  defaultType: 'x64',
  registerHint: 'tracefs spells loongarch64 registers r0..r31, not by ABI name',
  source: 'arch/loongarch/kernel/ptrace.c, arch/loongarch/include/asm/ptrace.h',
} as const satisfies ArchInfo;
