/**
 * Instructions as plain values. A program is an array of these; jumps name
 * their target with a label (resolved by `encode`) or carry a relative offset
 * (what `decode` produces). A `label` entry marks the next instruction and
 * encodes to nothing.
 */
import type { AluOpName, AtomicOpName, CallSrcName, JmpOpName, PseudoSrcName } from './opcodes.js';

/** r0..r10; r10 is the read-only frame pointer. */
export type Reg = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

/** A second operand: a register or a signed 32-bit immediate. */
export type Operand = { readonly reg: Reg } | { readonly imm: number };

/** A jump target: a label name, or an offset in slots relative to the next instruction. */
export type Target = string | number;

/** Access size in bytes. */
export type AccessSize = 1 | 2 | 4 | 8;

export interface AluInsn {
  readonly kind: 'alu';
  /** true: ALU64 (rN); false: ALU (wN, upper half zeroed). */
  readonly wide: boolean;
  readonly op: Exclude<AluOpName, 'end'>;
  readonly dst: Reg;
  readonly src: Operand;
  /** sdiv/smod: 1; movsx: 8, 16 or 32; otherwise 0. */
  readonly off: number;
}

export interface EndianInsn {
  readonly kind: 'endian';
  /** le/be: convert from host order (ALU class); swap: unconditional (ALU64 class). */
  readonly order: 'le' | 'be' | 'swap';
  readonly bits: 16 | 32 | 64;
  readonly dst: Reg;
}

export interface JumpInsn {
  readonly kind: 'jump';
  /** true: JMP (64-bit compare); false: JMP32. For `ja` with wide=false the target offset is 32-bit. */
  readonly wide: boolean;
  readonly op: Exclude<JmpOpName, 'call' | 'exit'>;
  readonly dst: Reg;
  readonly src: Operand;
  readonly target: Target;
}

export interface CallInsn {
  readonly kind: 'call';
  readonly src: CallSrcName;
  /** Helper id, BTF id, or (local) relative offset. */
  readonly imm: number;
}

export interface ExitInsn {
  readonly kind: 'exit';
}

export interface LdImm64Insn {
  readonly kind: 'ldimm64';
  readonly dst: Reg;
  readonly pseudo: PseudoSrcName;
  /** Low 32 bits in the first slot, high 32 bits in the second (for map_value: fd and offset). */
  readonly value: bigint;
}

export interface LoadInsn {
  readonly kind: 'load';
  readonly size: AccessSize;
  /** Sign-extending load (MEMSX). */
  readonly signed: boolean;
  readonly dst: Reg;
  readonly src: Reg;
  readonly off: number;
}

export interface StoreInsn {
  readonly kind: 'store';
  readonly size: AccessSize;
  readonly dst: Reg;
  readonly off: number;
  /** A register (STX) or an immediate (ST). */
  readonly src: Operand;
}

export interface AtomicInsn {
  readonly kind: 'atomic';
  readonly size: 4 | 8;
  readonly op: AtomicOpName;
  /** add/or/and/xor: also return the old value in src. xchg/cmpxchg always fetch. */
  readonly fetch: boolean;
  readonly dst: Reg;
  readonly src: Reg;
  readonly off: number;
}

/** Legacy socket-filter packet loads: r0 = *(size *)skb[src + imm] (IND) or skb[imm] (ABS). */
export interface PacketLoadInsn {
  readonly kind: 'ldpkt';
  readonly mode: 'abs' | 'ind';
  readonly size: 1 | 2 | 4;
  readonly src: Reg;
  readonly imm: number;
}

export interface LabelInsn {
  readonly kind: 'label';
  readonly name: string;
}

export type Insn =
  | AluInsn
  | EndianInsn
  | JumpInsn
  | CallInsn
  | ExitInsn
  | LdImm64Insn
  | LoadInsn
  | StoreInsn
  | AtomicInsn
  | PacketLoadInsn
  | LabelInsn;

/** One encoded 8-byte slot, as the fields of the layout. */
export interface RawSlot {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}
