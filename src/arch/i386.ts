/**
 * i386 (a 32-bit x86 kernel). Sources: arch/x86/kernel/ptrace.c (the 32-bit
 * regoffset_table has segment registers and no r8..r15),
 * arch/x86/include/asm/ptrace.h (regs_get_kernel_argument: the kernel is built
 * with -mregparm=3, so ax dx cx, then `regs_get_kernel_stack_nth(n - 2)`: argument 4
 * is `$stack1`). User space uses cdecl: every argument is on the stack, argument N
 * at `$stackN` at entry (`$stack0` is the return address).
 * pt_regs offsets: arch/x86/include/asm/ptrace.h (struct pt_regs, 32-bit: bx cx dx si
 * di bp ax ds es fs gs orig_ax ip cs flags sp ss, one 4-byte slot each, 68 bytes; the
 * segment registers are `unsigned short` plus a 2-byte pad, so the slot's high half is
 * padding), the offsets regoffset_table in arch/x86/kernel/ptrace.c returns.
 * Uncertain: kernels before 5.2 did not save sp/ss for traps from kernel mode (tracefs
 * %sp used kernel_stack_pointer() instead), so a BPF read of `sp`/`ss` in a kprobe
 * there is garbage; later kernels fill them in.
 */
import { ptRegsLayout } from './pt-regs.js';
import type { ArchInfo } from './types.js';
import { stackSlots } from './util.js';

const NAMES: Record<string, string> = {
  ax: 'eax',
  bx: 'ebx',
  cx: 'ecx',
  dx: 'edx',
  si: 'esi',
  di: 'edi',
  bp: 'ebp',
  sp: 'esp',
  ip: 'eip',
  flags: 'eflags',
  orig_ax: 'orig_eax',
};

export const i386 = {
  name: 'i386',
  aliases: ['i686', 'i586', 'i486', 'x86', 'ia32', '386'],
  bits: 32,
  endian: 'little',
  registers: [
    'bx',
    'cx',
    'dx',
    'si',
    'di',
    'bp',
    'ax',
    'ds',
    'es',
    'fs',
    'gs',
    'orig_ax',
    'ip',
    'cs',
    'flags',
    'sp',
    'ss',
  ],
  // biome-ignore format: one line per struct member reads like the header
  ptRegsOffsets: ptRegsLayout(4, [
    'bx', 'cx', 'dx', 'si', 'di', 'bp', 'ax', 'ds', 'es', 'fs', 'gs',
    'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss',
  ]),
  ptRegsSize: 68,
  ptRegsMember: {
    ...Object.fromEntries(Object.entries(NAMES).map(([name, asm]) => [asm, name])),
    ds: 'ds',
    es: 'es',
    fs: 'fs',
    gs: 'gs',
    cs: 'cs',
    ss: 'ss',
  },
  asmNames: NAMES,
  asmAliases: {
    ...Object.fromEntries(Object.entries(NAMES).map(([name, asm]) => [asm, name])),
    rax: 'ax',
    rbx: 'bx',
    rcx: 'cx',
    rdx: 'dx',
    rsi: 'si',
    rdi: 'di',
    rbp: 'bp',
    rsp: 'sp',
    rip: 'ip',
  },
  kernel: {
    argRegs: ['ax', 'dx', 'cx'],
    stackArg: stackSlots('the i386 kernel (regparm 3)', 4, 1),
  },
  user: {
    argRegs: [],
    stackArg: (n: number) => ({
      fetch: `$stack${n}`,
      note: `i386 user code (cdecl) passes every argument on the stack: argument ${n} is read at entry as $stack${n}`,
    }),
  },
  retReg: 'ax',
  spReg: 'sp',
  pcReg: 'ip',
  raReg: null,
  hasArgN: true,
  defaultType: 'x32',
  registerHint: 'tracefs spells i386 registers by their pt_regs names, without the e',
  source: 'arch/x86/kernel/ptrace.c, arch/x86/include/asm/ptrace.h',
} as const satisfies ArchInfo;
