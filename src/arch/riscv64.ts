/**
 * riscv64. Sources: arch/riscv/kernel/ptrace.c (regoffset_table uses the ABI
 * names: epc ra sp gp tp t0..t2 s0 s1 a0..a7 s2..s11 t3..t6 status badaddr cause
 * orig_a0), arch/riscv/include/asm/ptrace.h (regs_get_kernel_argument: a0..a7,
 * 0 beyond). The psABI puts argument 9 and on at [sp] at entry: `$stack0`.
 * pt_regs offsets: arch/riscv/include/asm/ptrace.h (struct pt_regs: unsigned long epc,
 * ra, sp, ... t6, status, badaddr, cause, orig_a0, exactly the order of the names
 * below, 8 bytes each, 288 bytes); regoffset_table is offsetof(struct pt_regs, <name>).
 */
import { ptRegsLayout } from './pt-regs.js';
import type { ArchInfo } from './types.js';
import { same, seq, stackSlots, zip } from './util.js';

/** The regoffset_table names, in struct pt_regs order (so offset = 8 × index). */
const NAMES = [
  'epc',
  'ra',
  'sp',
  'gp',
  'tp',
  't0',
  't1',
  't2',
  's0',
  's1',
  ...seq('a', 0, 7),
  ...seq('s', 2, 11),
  ...seq('t', 3, 6),
  'status',
  'badaddr',
  'cause',
  'orig_a0',
];

/** x1..x31 in order, by ABI name. */
const ABI = [
  'ra',
  'sp',
  'gp',
  'tp',
  't0',
  't1',
  't2',
  's0',
  's1',
  ...seq('a', 0, 7),
  ...seq('s', 2, 11),
  ...seq('t', 3, 6),
];

export const riscv64 = {
  name: 'riscv64',
  aliases: ['riscv', 'rv64'],
  bits: 64,
  endian: 'little',
  registers: NAMES,
  ptRegsOffsets: ptRegsLayout(8, NAMES),
  ptRegsSize: 288,
  ptRegsMember: same(NAMES),
  asmNames: {},
  asmAliases: { ...zip(seq('x', 1, 31), ABI), fp: 's0', pc: 'epc' },
  kernel: { argRegs: seq('a', 0, 7), stackArg: stackSlots('riscv64', 9, 0) },
  user: { argRegs: seq('a', 0, 7), stackArg: stackSlots('riscv64', 9, 0) },
  retReg: 'a0',
  spReg: 'sp',
  pcReg: 'epc',
  raReg: 'ra',
  hasArgN: true,
  defaultType: 'x64',
  registerHint:
    'tracefs spells riscv64 registers by their ABI names (a0..a7, s0..s11, t0..t6, ra, sp, epc)',
  source: 'arch/riscv/kernel/ptrace.c, arch/riscv/include/asm/ptrace.h',
} as const satisfies ArchInfo;
