/**
 * Syscall wrappers that take `const struct pt_regs *regs` (x86_64 since 4.17,
 * arm64 since 5.0, s390 and riscv later): the syscall's own arguments are not
 * in the argument registers but in the user registers saved in *regs. A probe
 * reads them as `+OFFSET(%di)`, OFFSET being the pt_regs member of the syscall
 * ABI's register for that argument. (Tools that read `%si` as the second
 * argument of `sys_execve` broke when kernels switched to these wrappers; the
 * perf-tools execsnoop is the well-known case.)
 */
import type { ArchName } from '../arch/types.js';
import { errorAt, type ProbeContext } from './context.js';
import { type Fetched, fetchArgument } from './fetch.js';
import type { FunctionParam, FunctionPrototype } from './types.js';

/** A pt_regs member (array members with the element index) holding one syscall argument. */
interface SyscallReg {
  readonly member: string;
  readonly index?: number;
}

/**
 * The syscall ABI's argument registers as pt_regs members, in order. Note
 * x86_64's fourth is r10, not rcx (the `syscall` instruction clobbers rcx);
 * s390 keeps the first in orig_gpr2.
 */
export const SYSCALL_ARG_REGS = {
  x86_64: [
    { member: 'di' },
    { member: 'si' },
    { member: 'dx' },
    { member: 'r10' },
    { member: 'r8' },
    { member: 'r9' },
  ],
  i386: [
    { member: 'bx' },
    { member: 'cx' },
    { member: 'dx' },
    { member: 'si' },
    { member: 'di' },
    { member: 'bp' },
  ],
  arm64: [0, 1, 2, 3, 4, 5].map((index) => ({ member: 'regs', index })),
  riscv64: [
    { member: 'a0' },
    { member: 'a1' },
    { member: 'a2' },
    { member: 'a3' },
    { member: 'a4' },
    { member: 'a5' },
  ],
  s390x: [{ member: 'orig_gpr2' }, ...[3, 4, 5, 6, 7].map((index) => ({ member: 'gprs', index }))],
} as const satisfies Partial<Record<ArchName, readonly SyscallReg[]>>;

const PT_REGS_PARAM = /^(const )?struct pt_regs \*$/;

/** Whether a function takes exactly one `(const) struct pt_regs *`, like `__x64_sys_openat`. */
export function isPtRegsWrapper(proto: FunctionPrototype): boolean {
  return proto.params.length === 1 && PT_REGS_PARAM.test(proto.params[0]?.type ?? '');
}

function regName(r: SyscallReg): string {
  return r.index === undefined ? r.member : `${r.member}[${r.index}]`;
}

/** Syscall argument `n` (1-based) of a pt_regs wrapper: `+OFF(<regs pointer>)`. */
export function fetchSyscallArg(
  ctx: ProbeContext,
  n: number,
  p: FunctionParam,
  span: { start: number; end: number },
): Fetched {
  const sys = ctx.syscall;
  const regs = (SYSCALL_ARG_REGS as Partial<Record<ArchName, readonly SyscallReg[]>>)[
    ctx.arch.name
  ];
  const reg = regs?.[n - 1];
  const word = ctx.arch.bits / 8;
  const base = reg === undefined || sys === null ? undefined : sys.ptRegs[reg.member];
  if (sys === null || reg === undefined || base === undefined) {
    throw errorAt(
      ctx,
      'E_PLAN_SYSCALL_ARG',
      `${p.name} is argument ${n} of the syscall behind ${ctx.func}, which probekit cannot locate in struct pt_regs on ${ctx.arch.name}`,
      span,
      `read it yourself from the pt_regs pointer, e.g. ${p.name}=+OFFSET(${ctx.arch.kernel.argRegs[0] ? `%${ctx.arch.kernel.argRegs[0]}` : '%REG'})`,
    );
  }
  const regsPtr = fetchArgument(ctx, 1, p.name, { kind: 'param', name: p.name, span });
  const size = p.isPointer ? word : Math.min(word, p.size || word);
  // On a big-endian machine a narrower value sits at the end of its register slot.
  const offset = base + (reg.index ?? 0) * word + (ctx.arch.endian === 'big' ? word - size : 0);
  return {
    fetch: `+${offset}(${regsPtr.fetch})`,
    position: n,
    register: null,
    ptRegs: `regs->${regName(reg)}`,
    asm: null,
    memory: true,
    holdsPointer: true,
    notes: [
      ...regsPtr.notes,
      `syscall ${sys.syscall} argument ${n}, read through the pt_regs pointer ${ctx.func} receives in ${regsPtr.fetch}: regs->${regName(reg)} at +${offset}`,
    ],
  };
}
