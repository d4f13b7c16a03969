/**
 * arm (32-bit). Sources: arch/arm/kernel/ptrace.c (regoffset_table: r0..r10, fp,
 * ip, sp, lr, pc, cpsr, ORIG_r0, all slots of pt_regs.uregs[]),
 * arch/arm/include/asm/ptrace.h. AAPCS passes r0..r3, then the stack: argument 5
 * is at [sp] at entry (`$stack0`). arm has no HAVE_FUNCTION_ARG_ACCESS_API, so no `$argN`.
 * pt_regs offsets: arch/arm/include/uapi/asm/ptrace.h (struct pt_regs { long uregs[18]; },
 * ARM_r0 = uregs[0] .. ARM_cpsr = uregs[16], ARM_ORIG_r0 = uregs[17]; 4 bytes each, 72
 * bytes); regoffset_table is offsetof(struct pt_regs, ARM_<name>).
 */
import { ptRegsLayout } from './pt-regs.js';
import type { ArchInfo } from './types.js';
import { seq, stackSlots, zip } from './util.js';

const NAMES = [...seq('r', 0, 10), 'fp', 'ip', 'sp', 'lr', 'pc', 'cpsr', 'ORIG_r0'];

export const arm = {
  name: 'arm',
  aliases: ['armv7l', 'armv7', 'armv6l', 'armhf', 'armel', 'arm32'],
  bits: 32,
  endian: 'little',
  registers: NAMES,
  ptRegsOffsets: ptRegsLayout(4, NAMES),
  ptRegsSize: 72,
  ptRegsMember: zip(
    NAMES,
    NAMES.map((_, i) => `uregs[${i}]`),
  ),
  asmNames: {},
  asmAliases: {
    ...zip(seq('a', 1, 4), seq('r', 0, 3)),
    ...zip(seq('v', 1, 7), seq('r', 4, 10)),
    v8: 'fp',
    sb: 'r9',
    sl: 'r10',
    r11: 'fp',
    r12: 'ip',
    r13: 'sp',
    r14: 'lr',
    r15: 'pc',
    orig_r0: 'ORIG_r0',
  },
  kernel: { argRegs: seq('r', 0, 3), stackArg: stackSlots('arm', 5, 0) },
  user: { argRegs: seq('r', 0, 3), stackArg: stackSlots('arm', 5, 0) },
  retReg: 'r0',
  spReg: 'sp',
  pcReg: 'pc',
  raReg: 'lr',
  hasArgN: false,
  defaultType: 'x32',
  registerHint: 'tracefs spells arm registers r0..r10, fp, ip, sp, lr, pc, cpsr and ORIG_r0',
  source: 'arch/arm/kernel/ptrace.c, arch/arm/include/asm/ptrace.h',
} as const satisfies ArchInfo;
