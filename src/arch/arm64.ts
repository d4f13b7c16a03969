/**
 * arm64 (AArch64). Sources: arch/arm64/kernel/ptrace.c (regoffset_table:
 * x0..x30, sp, pc, pstate), arch/arm64/include/asm/ptrace.h
 * (regs_get_kernel_argument: x0..x7, and 0 beyond). AAPCS64 puts argument 9 and
 * on at [sp] at entry, so `$stack0` is argument 9 (kernel and user alike).
 * pt_regs offsets: arch/arm64/include/asm/ptrace.h (struct pt_regs begins with struct
 * user_pt_regs from arch/arm64/include/uapi/asm/ptrace.h: u64 regs[31], sp, pc, pstate,
 * 272 bytes; later members such as orig_x0, syscallno, pmr, stackframe changed across
 * versions, so ptRegsSize is the 272-byte prefix). arch/arm64/kernel/ptrace.c's
 * regoffset_table also maps `lr` to regs[30] (recent kernels; `registers` does not list
 * it), so `lr` is kept here as an alias of x30.
 */
import { ptRegsLayout } from './pt-regs.js';
import type { ArchInfo } from './types.js';
import { indexed, seq, stackSlots, zip } from './util.js';

export const arm64 = {
  name: 'arm64',
  aliases: ['aarch64', 'arm64'],
  bits: 64,
  endian: 'little',
  registers: [...seq('x', 0, 30), 'sp', 'pc', 'pstate'],
  ptRegsOffsets: { ...ptRegsLayout(8, [...seq('x', 0, 30), 'sp', 'pc', 'pstate']), lr: 240 },
  ptRegsSize: 272,
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
