/**
 * A small builder for writing programs readably. Registers are written as
 * strings ('r1', 'r10'), immediates as numbers, jump targets as label names:
 *
 *   [mov64('r6', 'r1'), call('get_current_pid_tgid'), jeq64('r0', 0, 'out'), ..., label('out'), exit()]
 */
import { Helper, type HelperName } from './helpers.js';
import type { AluOpName, AtomicOpName, JmpOpName } from './opcodes.js';
import type {
  AccessSize,
  AluInsn,
  AtomicInsn,
  Insn,
  JumpInsn,
  Operand,
  Reg,
  Target,
} from './types.js';

export type RegName = `r${Reg}`;
/** A register name or a 32-bit immediate. */
export type Src = RegName | number;

export function regNum(r: RegName): Reg {
  return Number(r.slice(1)) as Reg;
}

function operand(s: Src): Operand {
  return typeof s === 'number' ? { imm: s } : { reg: regNum(s) };
}

type BinAlu = Exclude<AluOpName, 'end' | 'neg'>;

export function alu64(op: BinAlu, dst: RegName, src: Src, off = 0): AluInsn {
  return { kind: 'alu', wide: true, op, dst: regNum(dst), src: operand(src), off };
}
export function alu32(op: BinAlu, dst: RegName, src: Src, off = 0): AluInsn {
  return { kind: 'alu', wide: false, op, dst: regNum(dst), src: operand(src), off };
}
export const mov64 = (dst: RegName, src: Src): AluInsn => alu64('mov', dst, src);
export const mov32 = (dst: RegName, src: Src): AluInsn => alu32('mov', dst, src);
export const add64 = (dst: RegName, src: Src): AluInsn => alu64('add', dst, src);
export const sub64 = (dst: RegName, src: Src): AluInsn => alu64('sub', dst, src);
export const and64 = (dst: RegName, src: Src): AluInsn => alu64('and', dst, src);
export const or64 = (dst: RegName, src: Src): AluInsn => alu64('or', dst, src);
export const lsh64 = (dst: RegName, src: Src): AluInsn => alu64('lsh', dst, src);
export const rsh64 = (dst: RegName, src: Src): AluInsn => alu64('rsh', dst, src);
export const neg64 = (dst: RegName): AluInsn => ({
  kind: 'alu',
  wide: true,
  op: 'neg',
  dst: regNum(dst),
  src: { imm: 0 },
  off: 0,
});
/** Signed division and modulo (off = 1). */
export const sdiv64 = (dst: RegName, src: Src): AluInsn => alu64('div', dst, src, 1);
export const smod64 = (dst: RegName, src: Src): AluInsn => alu64('mod', dst, src, 1);
/** dst = (s8|s16|s32) src. */
export const movsx64 = (dst: RegName, src: RegName, bits: 8 | 16 | 32): AluInsn =>
  alu64('mov', dst, src, bits);
export const bswap = (dst: RegName, bits: 16 | 32 | 64): Insn => ({
  kind: 'endian',
  order: 'swap',
  bits,
  dst: regNum(dst),
});
export const toBe = (dst: RegName, bits: 16 | 32 | 64): Insn => ({
  kind: 'endian',
  order: 'be',
  bits,
  dst: regNum(dst),
});

type CondOp = Exclude<JmpOpName, 'call' | 'exit' | 'ja'>;
export function jmp64(op: CondOp, dst: RegName, src: Src, to: Target): JumpInsn {
  return { kind: 'jump', wide: true, op, dst: regNum(dst), src: operand(src), target: to };
}
export function jmp32(op: CondOp, dst: RegName, src: Src, to: Target): JumpInsn {
  return { kind: 'jump', wide: false, op, dst: regNum(dst), src: operand(src), target: to };
}
export const jeq64 = (dst: RegName, src: Src, to: Target): JumpInsn => jmp64('jeq', dst, src, to);
export const jne64 = (dst: RegName, src: Src, to: Target): JumpInsn => jmp64('jne', dst, src, to);
export const ja = (to: Target): JumpInsn => ({
  kind: 'jump',
  wide: true,
  op: 'ja',
  dst: 0,
  src: { imm: 0 },
  target: to,
});

export const label = (name: string): Insn => ({ kind: 'label', name });
export const exit = (): Insn => ({ kind: 'exit' });
export function call(helper: HelperName | number): Insn {
  return { kind: 'call', src: 'helper', imm: typeof helper === 'number' ? helper : Helper[helper] };
}

/** dst = *(size *)(src + off) */
export function ldx(size: AccessSize, dst: RegName, src: RegName, off: number): Insn {
  return { kind: 'load', size, signed: false, dst: regNum(dst), src: regNum(src), off };
}
/** dst = *(sN *)(src + off), sign-extended. */
export function ldxs(size: 1 | 2 | 4, dst: RegName, src: RegName, off: number): Insn {
  return { kind: 'load', size, signed: true, dst: regNum(dst), src: regNum(src), off };
}
/** *(size *)(dst + off) = src (register or immediate). */
export function st(size: AccessSize, dst: RegName, off: number, src: Src): Insn {
  return { kind: 'store', size, dst: regNum(dst), off, src: operand(src) };
}

export function atomic(
  op: AtomicOpName,
  size: 4 | 8,
  dst: RegName,
  off: number,
  src: RegName,
  fetch = false,
): AtomicInsn {
  const always = op === 'xchg' || op === 'cmpxchg';
  return {
    kind: 'atomic',
    size,
    op,
    fetch: fetch || always,
    dst: regNum(dst),
    src: regNum(src),
    off,
  };
}

export function ldImm64(dst: RegName, value: bigint): Insn {
  return { kind: 'ldimm64', dst: regNum(dst), pseudo: 'imm', value: BigInt.asUintN(64, value) };
}
export function ldMapFd(dst: RegName, fd: number): Insn {
  return { kind: 'ldimm64', dst: regNum(dst), pseudo: 'map_fd', value: BigInt(fd) };
}
export function ldMapValue(dst: RegName, fd: number, off: number): Insn {
  return {
    kind: 'ldimm64',
    dst: regNum(dst),
    pseudo: 'map_value',
    value: (BigInt(off) << 32n) | BigInt(fd),
  };
}
