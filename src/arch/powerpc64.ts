/**
 * powerpc64, little-endian (ELFv2) and big-endian (ELFv1 user space).
 * Sources: arch/powerpc/kernel/ptrace/ptrace-view.c (regoffset_table: every GPR
 * twice, as `rN` and `gprN`, then nip msr ctr link xer ccr softe trap dar dsisr),
 * arch/powerpc/include/asm/ptrace.h (regs_get_kernel_argument: gpr[3]..gpr[10],
 * 0 beyond).
 * pt_regs offsets: arch/powerpc/include/asm/ptrace.h (struct pt_regs begins with
 * user_pt_regs: unsigned long gpr[32], nip, msr, orig_gpr3, ctr, link, xer, ccr,
 * softe (mq on 32-bit), trap, dar, dsisr, result: 44 × 8 = 352 bytes; the ppr/kuap/amr
 * pad after it grew from 2 to 4 longs across versions, so ptRegsSize is 352).
 * regoffset_table names both `rN` and `gprN` for gpr[N] (aliases, same offset) and has
 * no name for orig_gpr3 or result.
 *
 * Arguments 9 and on are refused: they live in the caller's parameter save area,
 * which starts at 32(r1) under ELFv2 and 48(r1) under ELFv1, exists under ELFv2
 * only when the caller chose to allocate it, and a big-endian kernel may be built
 * for either ABI (CONFIG_PPC64_ELF_ABI_V2). probekit cannot tell which applies.
 */
import { ptRegsLayout } from './pt-regs.js';
import type { ArchInfo, ArchName } from './types.js';
import { indexed, seq } from './util.js';

const REFUSAL =
  "powerpc64 passes arguments 9 and on in the caller's parameter save area, at 32(r1) under ELFv2 or 48(r1) under ELFv1 plus 8 bytes per argument, and only when the caller allocated it; probekit cannot tell which holds here, so it reads only the 8 register arguments (r3..r10). If you know the ABI, read the slot yourself, e.g. name=+96(%r1) for argument 9 under ELFv2";

const REGISTERS = [
  ...seq('r', 0, 31).flatMap((r, i) => [r, `gpr${i}`]),
  'nip',
  'msr',
  'ctr',
  'link',
  'xer',
  'ccr',
  'softe',
  'trap',
  'dar',
  'dsisr',
];

/** offsetof(struct pt_regs, X): gpr[N] at 8N (as rN and gprN), then the specials from 256. */
const PT_REGS_OFFSETS = {
  ...ptRegsLayout(8, seq('r', 0, 31)),
  ...ptRegsLayout(8, seq('gpr', 0, 31)),
  // biome-ignore format: one entry per struct member, null = orig_gpr3 (no tracefs name)
  ...ptRegsLayout(8, ['nip', 'msr', null, 'ctr', 'link', 'xer', 'ccr', 'softe', 'trap', 'dar', 'dsisr'], 256),
};

function powerpc(name: ArchName, endian: 'little' | 'big', aliases: readonly string[]) {
  return {
    name,
    aliases,
    bits: 64,
    endian,
    registers: REGISTERS,
    ptRegsOffsets: PT_REGS_OFFSETS,
    ptRegsSize: 352,
    ptRegsMember: {
      ...indexed('r', 0, 31, 'gpr'),
      nip: 'nip',
      msr: 'msr',
      ctr: 'ctr',
      link: 'link',
      xer: 'xer',
      ccr: 'ccr',
      softe: 'softe',
      trap: 'trap',
      dar: 'dar',
      dsisr: 'dsisr',
    },
    asmNames: Object.fromEntries(seq('gpr', 0, 31).map((g, i) => [g, `r${i}`])),
    asmAliases: { sp: 'r1', toc: 'r2', lr: 'link', pc: 'nip', cr: 'ccr' },
    kernel: { argRegs: seq('r', 3, 10), stackArg: null, stackArgRefusal: REFUSAL },
    user: { argRegs: seq('r', 3, 10), stackArg: null, stackArgRefusal: REFUSAL },
    retReg: 'r3',
    spReg: 'r1',
    pcReg: 'nip',
    raReg: 'link',
    hasArgN: true,
    defaultType: 'x64',
    registerHint: `tracefs spells ${name} registers r0..r31 (or gpr0..gpr31), nip, msr, ctr, link, xer, ccr, softe, trap, dar, dsisr`,
    source: 'arch/powerpc/kernel/ptrace/ptrace-view.c, arch/powerpc/include/asm/ptrace.h',
  } as const satisfies ArchInfo;
}

export const powerpc64le = powerpc('powerpc64le', 'little', ['ppc64le', 'ppc64el', 'powerpc64el']);
export const powerpc64 = powerpc('powerpc64', 'big', ['ppc64', 'ppc64be', 'powerpc64be']);
