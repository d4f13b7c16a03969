/**
 * s390x. Sources: arch/s390/kernel/ptrace.c (regs_query_register_offset parses
 * only `r<N>`, N 0..15: no table of other names), arch/s390/include/asm/ptrace.h
 * (regs_get_kernel_argument: r2..r6, then `regs_get_kernel_stack_nth(160/8 + n - 5)`).
 * The ELF ABI's caller frame has a 160-byte register save area, so argument 6 sits
 * at 160(%r15) at entry, argument 7 at 168(%r15), and so on (user code alike).
 * pt_regs offsets: arch/s390/include/asm/ptrace.h (struct pt_regs begins with
 * user_pt_regs: unsigned long args[1]; psw_t psw (mask, addr: 16 bytes); unsigned long
 * gprs[16], so gprs[N] is at 24 + 8N; then orig_gpr2, int_code, ... which changed
 * across versions, so ptRegsSize is the 152-byte user_pt_regs prefix). s390 has no
 * regoffset_table: regs_query_register_offset returns N for `rN` and regs_get_register
 * indexes gprs[N], so the byte offset here is offsetof(struct pt_regs, gprs[N]).
 */
import { ptRegsLayout } from './pt-regs.js';
import type { ArchInfo } from './types.js';
import { indexed, seq } from './util.js';

function overflowArea(): (n: number) => { fetch: string; note: string } {
  return (n) => {
    const fetch = `+${160 + 8 * (n - 6)}(%r15)`;
    return {
      fetch,
      note: `more arguments than s390x passes in registers: argument ${n} is read from the caller's overflow area at entry as ${fetch} (160-byte save area, then 8 bytes per argument)`,
    };
  };
}

export const s390x = {
  name: 's390x',
  aliases: ['s390x'],
  bits: 64,
  endian: 'big',
  registers: seq('r', 0, 15),
  ptRegsOffsets: ptRegsLayout(8, seq('r', 0, 15), 24),
  ptRegsSize: 152,
  ptRegsMember: indexed('r', 0, 15, 'gprs'),
  asmNames: {},
  asmAliases: { ...Object.fromEntries(seq('gpr', 0, 15).map((g, i) => [g, `r${i}`])), sp: 'r15' },
  kernel: { argRegs: seq('r', 2, 6), stackArg: overflowArea() },
  user: { argRegs: seq('r', 2, 6), stackArg: overflowArea() },
  retReg: 'r2',
  spReg: 'r15',
  pcReg: null,
  raReg: 'r14',
  hasArgN: true,
  defaultType: 'x64',
  registerHint: 'tracefs accepts only r0..r15 on s390x',
  source: 'arch/s390/kernel/ptrace.c, arch/s390/include/asm/ptrace.h',
} as const satisfies ArchInfo;
