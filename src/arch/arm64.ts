/**
 * arm64 (AArch64). Sources: arch/arm64/kernel/ptrace.c (regoffset_table:
 * x0..x30, sp, pc, pstate), arch/arm64/include/asm/ptrace.h
 * (regs_get_kernel_argument: x0..x7, and 0 beyond). AAPCS64 puts argument 9 and
 * on at [sp] at entry, so `$stack0` is argument 9 (kernel and user alike).
 */
import type { ArchInfo } from './types.js';
import { indexed, seq, stackSlots, zip } from './util.js';

export const arm64 = {
  name: 'arm64',
  aliases: ['aarch64', 'arm64'],
  bits: 64,
  endian: 'little',
  registers: [...seq('x', 0, 30), 'sp', 'pc', 'pstate'],
  ptRegsMember: { ...indexed('x', 0, 30, 'regs'), sp: 'sp', pc: 'pc', pstate: 'pstate' },
  asmNames: {},
  asmAliases: { ...zip(seq('w', 0, 30), seq('x', 0, 30)), lr: 'x30', fp: 'x29', wsp: 'sp' },
  kernel: { argRegs: seq('x', 0, 7), stackArg: stackSlots('arm64', 9, 0) },
  user: { argRegs: seq('x', 0, 7), stackArg: stackSlots('arm64', 9, 0) },
  retReg: 'x0',
  spReg: 'sp',
  pcReg: 'pc',
  raReg: 'x30',
  hasArgN: true,
  defaultType: 'x64',
  registerHint: 'tracefs spells arm64 registers x0..x30, sp, pc and pstate',
  source: 'arch/arm64/kernel/ptrace.c, arch/arm64/include/asm/ptrace.h',
} as const satisfies ArchInfo;
