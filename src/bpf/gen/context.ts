/**
 * Where a generated program finds a value in its context (r1 at entry):
 * a tracepoint record field (offsets from the event's format file) or a
 * pt_regs register (uprobe/kprobe context).
 */
import { ptRegsOffset, ptRegsWidth } from '../../arch/pt-regs.js';
import type { ArchInfo } from '../../arch/types.js';
import { x86_64 } from '../../arch/x86_64.js';
import { SpecError } from '../../errors.js';
import { findField, parseFormat } from '../../stream/format.js';
import { tracepointFormat } from '../tracefs-path.js';

/** A scalar loaded from the context at a fixed offset. */
export interface CtxScalar {
  readonly offset: number;
  readonly size: 1 | 2 | 4 | 8;
  readonly signed: boolean;
  /** For messages and dumps: `count`, `di`. */
  readonly name: string;
}

/**
 * x86_64 struct pt_regs offsets (arch/x86/include/asm/ptrace.h), taken from the
 * arch table (src/arch/x86_64.ts) so there is one copy.
 */
export const X86_64_PT_REGS = x86_64.ptRegsOffsets;

/** SysV x86_64 integer argument registers, first to sixth; return value in ax. */
export const X86_64_ARG_REGS = x86_64.kernel.argRegs;

export type X86Reg = keyof typeof X86_64_PT_REGS;

/** A pt_regs register as a context scalar. */
export function ptRegsReg(reg: X86Reg): CtxScalar {
  return { offset: X86_64_PT_REGS[reg], size: 8, signed: false, name: reg };
}

/** The n-th (0-based) integer argument of a probed function, or its return value. */
export function ptRegsArg(n: number | 'ret'): CtxScalar {
  return ptRegsArgFor(x86_64, n, 'kernel');
}

/**
 * The n-th (0-based) integer argument of a probed function on `arch`, or its return
 * value, as a pt_regs slot: `side` picks the kernel convention (kprobes) or the user
 * ABI (uprobes). Arguments the convention passes on the stack are refused.
 */
export function ptRegsArgFor(
  arch: ArchInfo,
  n: number | 'ret',
  side: 'kernel' | 'user',
): CtxScalar {
  const regs = arch[side].argRegs;
  const reg = n === 'ret' ? arch.retReg : Number.isInteger(n) && n >= 0 ? regs[n] : undefined;
  if (reg === undefined) {
    const which =
      regs.length === 0
        ? `the ${side} convention passes no arguments in registers`
        : `${side} arguments 0..${regs.length - 1} are in ${regs.join(' ')}`;
    throw new SpecError(
      'E_BPF_ARG',
      `argument ${n} is not passed in a register on ${arch.name} (${which})`,
      { details: { arch: arch.name, side, argument: n } },
    );
  }
  const offset = ptRegsOffset(arch, reg);
  if (offset === null) {
    throw new SpecError('E_BPF_ARG', `${arch.name} has no pt_regs offset for register ${reg}`, {
      details: { arch: arch.name, side, register: reg },
    });
  }
  return { offset, size: ptRegsWidth(arch), signed: false, name: reg };
}

/** A scalar field of a tracepoint record, from its format text. */
export function formatField(formatText: string, field: string, where = ''): CtxScalar {
  const fmt = parseFormat(formatText);
  const f = findField(fmt, field);
  if (!f) {
    const names = fmt.fields.map((x) => x.name).join(', ');
    throw new SpecError('E_BPF_FIELD', `${where || fmt.name} has no field "${field}"`, {
      hint: `fields: ${names || '(none)'}`,
    });
  }
  if (f.arrayLength !== null || f.isDataLoc || f.isRelLoc || ![1, 2, 4, 8].includes(f.size)) {
    throw new SpecError(
      'E_BPF_FIELD',
      `field "${field}" of ${where || fmt.name} is not a scalar (${f.type}, ${f.size} bytes)`,
    );
  }
  return { offset: f.offset, size: f.size as 1 | 2 | 4 | 8, signed: f.signed, name: field };
}

/** A scalar field of the live tracepoint `group:event`. */
export function tracepointField(group: string, event: string, field: string): CtxScalar {
  return formatField(tracepointFormat(group, event), field, `${group}:${event}`);
}
