/** Instructions → 8-byte slots → bytes. Labels are resolved here. */
import { ProbekitError } from '../../errors.js';
import {
  AluOp,
  ATOMIC_FETCH,
  AtomicOp,
  CallSrc,
  InsnClass,
  JmpOp,
  Mode,
  PseudoSrc,
  Size,
  Source,
} from './opcodes.js';
import type { AccessSize, Insn, Operand, RawSlot } from './types.js';

const SIZE_CODE = { 1: Size.B, 2: Size.H, 4: Size.W, 8: Size.DW } as const satisfies Record<
  AccessSize,
  number
>;

/** Number of 8-byte slots an instruction takes. */
export function slotCount(insn: Insn): number {
  if (insn.kind === 'label') return 0;
  return insn.kind === 'ldimm64' ? 2 : 1;
}

function invalid(message: string, index: number): ProbekitError {
  return new ProbekitError('E_BPF_ENCODE', `cannot encode instruction ${index}: ${message}`, {
    hint: 'this is a bug in the program generator',
    details: { index },
  });
}

function checkImm(v: number, index: number): number {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
    throw invalid(`immediate ${v} does not fit in 32 bits`, index);
  }
  return v | 0;
}

function checkOff(v: number, index: number): number {
  if (!Number.isInteger(v) || v < -0x8000 || v > 0x7fff) {
    throw invalid(`offset ${v} does not fit in 16 bits`, index);
  }
  return v;
}

function srcFields(op: Operand): { source: number; src: number; imm: number } {
  return 'reg' in op
    ? { source: Source.X, src: op.reg, imm: 0 }
    : { source: Source.K, src: 0, imm: op.imm };
}

/** Resolve labels and produce the raw slots. */
export function assemble(insns: readonly Insn[]): RawSlot[] {
  const labels = new Map<string, number>();
  let slot = 0;
  for (const insn of insns) {
    if (insn.kind === 'label') {
      if (labels.has(insn.name)) throw invalid(`label "${insn.name}" defined twice`, slot);
      labels.set(insn.name, slot);
    }
    slot += slotCount(insn);
  }
  const out: RawSlot[] = [];
  const resolve = (t: string | number, at: number, index: number): number => {
    if (typeof t === 'number') return t;
    const dest = labels.get(t);
    if (dest === undefined) throw invalid(`jump to unknown label "${t}"`, index);
    return dest - (at + 1);
  };
  insns.forEach((insn, index) => {
    const at = out.length;
    switch (insn.kind) {
      case 'label':
        return;
      case 'alu': {
        const s = srcFields(insn.src);
        const cls = insn.wide ? InsnClass.ALU64 : InsnClass.ALU;
        out.push({
          code: AluOp[insn.op] | s.source | cls,
          dst: insn.dst,
          src: s.src,
          off: checkOff(insn.off, index),
          imm: checkImm(s.imm, index),
        });
        return;
      }
      case 'endian': {
        const cls = insn.order === 'swap' ? InsnClass.ALU64 : InsnClass.ALU;
        const source = insn.order === 'be' ? Source.X : Source.K;
        out.push({ code: AluOp.end | source | cls, dst: insn.dst, src: 0, off: 0, imm: insn.bits });
        return;
      }
      case 'jump': {
        const s = srcFields(insn.src);
        const cls = insn.wide ? InsnClass.JMP : InsnClass.JMP32;
        const rel = resolve(insn.target, at, index);
        if (insn.op === 'ja' && !insn.wide) {
          // gotol: the offset lives in imm.
          out.push({ code: JmpOp.ja | cls, dst: 0, src: 0, off: 0, imm: checkImm(rel, index) });
        } else {
          out.push({
            code: JmpOp[insn.op] | s.source | cls,
            dst: insn.dst,
            src: s.src,
            off: checkOff(rel, index),
            imm: checkImm(s.imm, index),
          });
        }
        return;
      }
      case 'call':
        out.push({
          code: JmpOp.call | InsnClass.JMP,
          dst: 0,
          src: CallSrc[insn.src],
          off: 0,
          imm: checkImm(insn.imm, index),
        });
        return;
      case 'exit':
        out.push({ code: JmpOp.exit | InsnClass.JMP, dst: 0, src: 0, off: 0, imm: 0 });
        return;
      case 'ldimm64': {
        const v = BigInt.asUintN(64, insn.value);
        const lo = Number(v & 0xffffffffn) | 0;
        const hi = Number(v >> 32n) | 0;
        out.push({
          code: InsnClass.LD | Size.DW | Mode.IMM,
          dst: insn.dst,
          src: PseudoSrc[insn.pseudo],
          off: 0,
          imm: lo,
        });
        out.push({ code: 0, dst: 0, src: 0, off: 0, imm: hi });
        return;
      }
      case 'load':
        out.push({
          code: InsnClass.LDX | SIZE_CODE[insn.size] | (insn.signed ? Mode.MEMSX : Mode.MEM),
          dst: insn.dst,
          src: insn.src,
          off: checkOff(insn.off, index),
          imm: 0,
        });
        return;
      case 'store': {
        const s = srcFields(insn.src);
        const cls = 'reg' in insn.src ? InsnClass.STX : InsnClass.ST;
        out.push({
          code: cls | SIZE_CODE[insn.size] | Mode.MEM,
          dst: insn.dst,
          src: s.src,
          off: checkOff(insn.off, index),
          imm: checkImm(s.imm, index),
        });
        return;
      }
      case 'atomic': {
        const always = insn.op === 'xchg' || insn.op === 'cmpxchg';
        out.push({
          code: InsnClass.STX | SIZE_CODE[insn.size] | Mode.ATOMIC,
          dst: insn.dst,
          src: insn.src,
          off: checkOff(insn.off, index),
          imm: AtomicOp[insn.op] | (insn.fetch && !always ? ATOMIC_FETCH : 0),
        });
        return;
      }
      case 'ldpkt':
        out.push({
          code: InsnClass.LD | SIZE_CODE[insn.size] | (insn.mode === 'abs' ? Mode.ABS : Mode.IND),
          dst: 0,
          src: insn.src,
          off: 0,
          imm: checkImm(insn.imm, index),
        });
        return;
    }
  });
  return out;
}

/** Slots → bytes (little-endian, src in the high nibble of byte 1). */
export function slotsToBytes(slots: readonly RawSlot[]): Uint8Array {
  const bytes = new Uint8Array(slots.length * 8);
  const dv = new DataView(bytes.buffer);
  slots.forEach((s, i) => {
    const o = i * 8;
    dv.setUint8(o, s.code);
    dv.setUint8(o + 1, ((s.src & 0xf) << 4) | (s.dst & 0xf));
    dv.setInt16(o + 2, s.off, true);
    dv.setInt32(o + 4, s.imm | 0, true);
  });
  return bytes;
}

/** Encode a program: resolve labels and lay out the bytes. */
export function encode(insns: readonly Insn[]): Uint8Array {
  return slotsToBytes(assemble(insns));
}
