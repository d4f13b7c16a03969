/**
 * mips64, n64 ABI. Sources: arch/mips/kernel/ptrace.c (regoffset_table: r0..r31,
 * c0_status, hi, lo, c0_badvaddr, c0_cause, c0_epc; `acx` only with SmartMIPS and
 * `mpl*`/`mtp*` only on Octeon, left out here), arch/mips/include/asm/ptrace.h.
 * n64 passes a0..a7 (r4..r11), then the stack from [sp] at entry: argument 9 is
 * `$stack0`. mips has no HAVE_FUNCTION_ARG_ACCESS_API, so no `$argN`. The o32 ABI
 * (r4..r7, with a 16-byte home area) is not modelled.
 * pt_regs offsets: arch/mips/include/asm/ptrace.h (struct pt_regs: the pad0[8] argument
 * save area exists only under CONFIG_32BIT, so on a 64-bit kernel unsigned long regs[32]
 * is at 0, then cp0_status, hi, lo, [acx under CONFIG_CPU_HAS_SMARTMIPS], cp0_badvaddr,
 * cp0_cause, cp0_epc, [Octeon mpl[6], mtp[6]]: 38 × 8 = 304 bytes without the options).
 * Uncertain: SmartMIPS is a MIPS32 extension and is assumed off on mips64; a kernel
 * built with it would have c0_badvaddr, c0_cause and c0_epc 8 bytes further on.
 */
import { ptRegsLayout } from './pt-regs.js';
import type { ArchInfo } from './types.js';
import { indexed, seq, stackSlots, zip } from './util.js';

/** r0..r31 by n64 ABI name. */
const ABI = [
  'zero',
  'at',
  'v0',
  'v1',
  ...seq('a', 0, 7),
  ...seq('t', 0, 3),
  ...seq('s', 0, 7),
  't8',
  't9',
  'k0',
  'k1',
  'gp',
  'sp',
  's8',
  'ra',
];
const CP0 = {
  c0_status: 'cp0_status',
  hi: 'hi',
  lo: 'lo',
  c0_badvaddr: 'cp0_badvaddr',
  c0_cause: 'cp0_cause',
  c0_epc: 'cp0_epc',
};

export const mips64 = {
  name: 'mips64',
  aliases: ['mips64el', 'mips64le'],
  bits: 64,
  endian: 'little',
  registers: [...seq('r', 0, 31), ...Object.keys(CP0)],
  ptRegsOffsets: ptRegsLayout(8, [...seq('r', 0, 31), ...Object.keys(CP0)]),
  ptRegsSize: 304,
  ptRegsMember: { ...indexed('r', 0, 31, 'regs'), ...CP0 },
  asmNames: zip(seq('r', 0, 31), ABI),
  asmAliases: { ...zip(ABI, seq('r', 0, 31)), fp: 'r30', pc: 'c0_epc', epc: 'c0_epc' },
  kernel: { argRegs: seq('r', 4, 11), stackArg: stackSlots('mips64', 9, 0) },
  user: { argRegs: seq('r', 4, 11), stackArg: stackSlots('mips64 (n64)', 9, 0) },
  retReg: 'r2',
  spReg: 'r29',
  pcReg: 'c0_epc',
  raReg: 'r31',
  hasArgN: false,
  defaultType: 'x64',
  registerHint: 'tracefs spells mips64 registers r0..r31, not by ABI name',
  source: 'arch/mips/kernel/ptrace.c, arch/mips/include/asm/ptrace.h',
} as const satisfies ArchInfo;
