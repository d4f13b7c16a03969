/**
 * Where a generated program finds a value in its context (r1 at entry):
 * a tracepoint record field (offsets from the event's format file) or a
 * pt_regs register (uprobe/kprobe context).
 */
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

/** x86_64 struct pt_regs offsets (arch/x86/include/asm/ptrace.h). */
export const X86_64_PT_REGS = {
  r15: 0,
  r14: 8,
  r13: 16,
  r12: 24,
  bp: 32,
  bx: 40,
  r11: 48,
  r10: 56,
  r9: 64,
  r8: 72,
  ax: 80,
  cx: 88,
  dx: 96,
  si: 104,
  di: 112,
  orig_ax: 120,
  ip: 128,
  cs: 136,
  flags: 144,
  sp: 152,
  ss: 160,
} as const satisfies Record<string, number>;

/** SysV x86_64 integer argument registers, first to sixth; return value in ax. */
export const X86_64_ARG_REGS = ['di', 'si', 'dx', 'cx', 'r8', 'r9'] as const;

export type X86Reg = keyof typeof X86_64_PT_REGS;

/** A pt_regs register as a context scalar. */
export function ptRegsReg(reg: X86Reg): CtxScalar {
  return { offset: X86_64_PT_REGS[reg], size: 8, signed: false, name: reg };
}

/** The n-th (0-based) integer argument of a probed function, or its return value. */
export function ptRegsArg(n: number | 'ret'): CtxScalar {
  if (n === 'ret') return ptRegsReg('ax');
  const reg = X86_64_ARG_REGS[n];
  if (reg === undefined) {
    throw new SpecError('E_BPF_ARG', `argument ${n} is not passed in a register on x86_64 (0..5)`);
  }
  return ptRegsReg(reg);
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
