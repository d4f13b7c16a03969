/** Bytes → 8-byte slots → instructions (jump targets as relative offsets). */
import { ProbekitError } from '../../errors.js';
import {
  AluOp,
  ATOMIC_FETCH,
  AtomicOp,
  CallSrc,
  CLASS_MASK,
  InsnClass,
  JmpOp,
  MODE_MASK,
  Mode,
  nameOf,
  OP_MASK,
  PseudoSrc,
  SIZE_BYTES,
  SIZE_MASK,
  SOURCE_MASK,
  Source,
} from './opcodes.js';
import type { AccessSize, Insn, Operand, RawSlot, Reg } from './types.js';

function bad(slot: number, s: RawSlot, why: string): ProbekitError {
  return new ProbekitError(
    'E_BPF_DECODE',
    `cannot decode BPF instruction at slot ${slot} (opcode 0x${s.code.toString(16).padStart(2, '0')}): ${why}`,
    { details: { slot, code: s.code } },
  );
}

/** Split bytes into raw slots. */
export function bytesToSlots(bytes: Uint8Array): RawSlot[] {
  if (bytes.length % 8 !== 0) {
    throw new ProbekitError(
      'E_BPF_DECODE',
      `BPF program length ${bytes.length} is not a multiple of 8 bytes`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: RawSlot[] = [];
  for (let o = 0; o < bytes.length; o += 8) {
    const regs = dv.getUint8(o + 1);
    out.push({
      code: dv.getUint8(o),
      dst: regs & 0xf,
      src: regs >> 4,
      off: dv.getInt16(o + 2, true),
      imm: dv.getInt32(o + 4, true),
    });
  }
  return out;
}

function reg(slot: number, s: RawSlot, r: number): Reg {
  if (r > 10) throw bad(slot, s, `register r${r} does not exist`);
  return r as Reg;
}

function operand(slot: number, s: RawSlot): Operand {
  return (s.code & SOURCE_MASK) === Source.X ? { reg: reg(slot, s, s.src) } : { imm: s.imm };
}

/** Decode one instruction starting at slot `i`; returns it and the slots used. */
export function decodeOne(slots: readonly RawSlot[], i: number): [Insn, number] {
  const s = slots[i];
  if (!s) throw new ProbekitError('E_BPF_DECODE', `no instruction at slot ${i}`);
  const cls = s.code & CLASS_MASK;
  const size = SIZE_BYTES[(s.code & SIZE_MASK) as keyof typeof SIZE_BYTES] as AccessSize;
  const mode = s.code & MODE_MASK;
  switch (cls) {
    case InsnClass.ALU:
    case InsnClass.ALU64: {
      const opv = s.code & OP_MASK;
      const op = nameOf(AluOp, opv);
      if (op === undefined) throw bad(i, s, 'unknown ALU operation');
      if (op === 'end') {
        const bits = s.imm;
        if (bits !== 16 && bits !== 32 && bits !== 64) throw bad(i, s, `byte swap of ${bits} bits`);
        const order =
          cls === InsnClass.ALU64 ? 'swap' : (s.code & SOURCE_MASK) === Source.X ? 'be' : 'le';
        return [{ kind: 'endian', order, bits, dst: reg(i, s, s.dst) }, 1];
      }
      return [
        {
          kind: 'alu',
          wide: cls === InsnClass.ALU64,
          op,
          dst: reg(i, s, s.dst),
          src: operand(i, s),
          off: s.off,
        },
        1,
      ];
    }
    case InsnClass.JMP:
    case InsnClass.JMP32: {
      const op = nameOf(JmpOp, s.code & OP_MASK);
      if (op === undefined) throw bad(i, s, 'unknown jump operation');
      if (op === 'exit') return [{ kind: 'exit' }, 1];
      if (op === 'call') {
        const src = nameOf(CallSrc, s.src);
        if (src === undefined) throw bad(i, s, `unknown call source ${s.src}`);
        return [{ kind: 'call', src, imm: s.imm }, 1];
      }
      const wide = cls === InsnClass.JMP;
      if (op === 'ja') {
        return [
          { kind: 'jump', wide, op, dst: 0, src: { imm: 0 }, target: wide ? s.off : s.imm },
          1,
        ];
      }
      return [
        { kind: 'jump', wide, op, dst: reg(i, s, s.dst), src: operand(i, s), target: s.off },
        1,
      ];
    }
    case InsnClass.LD: {
      if (mode === Mode.IMM && size === 8) {
        const next = slots[i + 1];
        if (!next) throw bad(i, s, 'LD_IMM64 without its second slot');
        const pseudo = nameOf(PseudoSrc, s.src);
        if (pseudo === undefined) throw bad(i, s, `unknown LD_IMM64 source ${s.src}`);
        const value = (BigInt(next.imm >>> 0) << 32n) | BigInt(s.imm >>> 0);
        return [{ kind: 'ldimm64', dst: reg(i, s, s.dst), pseudo, value }, 2];
      }
      if ((mode === Mode.ABS || mode === Mode.IND) && size !== 8) {
        return [
          {
            kind: 'ldpkt',
            mode: mode === Mode.ABS ? 'abs' : 'ind',
            size,
            src: reg(i, s, s.src),
            imm: s.imm,
          },
          1,
        ];
      }
      throw bad(i, s, 'unknown LD mode');
    }
    case InsnClass.LDX:
      if (mode !== Mode.MEM && mode !== Mode.MEMSX) throw bad(i, s, 'unknown LDX mode');
      return [
        {
          kind: 'load',
          size,
          signed: mode === Mode.MEMSX,
          dst: reg(i, s, s.dst),
          src: reg(i, s, s.src),
          off: s.off,
        },
        1,
      ];
    case InsnClass.ST:
      if (mode !== Mode.MEM) throw bad(i, s, 'unknown ST mode');
      return [{ kind: 'store', size, dst: reg(i, s, s.dst), off: s.off, src: { imm: s.imm } }, 1];
    case InsnClass.STX: {
      if (mode === Mode.MEM) {
        return [
          {
            kind: 'store',
            size,
            dst: reg(i, s, s.dst),
            off: s.off,
            src: { reg: reg(i, s, s.src) },
          },
          1,
        ];
      }
      if (mode === Mode.ATOMIC && (size === 4 || size === 8)) {
        const fetch = (s.imm & ATOMIC_FETCH) !== 0;
        // xchg and cmpxchg carry the fetch bit in their table value.
        const op = nameOf(AtomicOp, s.imm) ?? nameOf(AtomicOp, s.imm & ~ATOMIC_FETCH);
        if (op === undefined) throw bad(i, s, `unknown atomic operation 0x${s.imm.toString(16)}`);
        return [
          {
            kind: 'atomic',
            size,
            op,
            fetch,
            dst: reg(i, s, s.dst),
            src: reg(i, s, s.src),
            off: s.off,
          },
          1,
        ];
      }
      throw bad(i, s, 'unknown STX mode');
    }
  }
  throw bad(i, s, 'unknown class');
}

/** Decode a whole program. */
export function decode(bytes: Uint8Array): Insn[] {
  const slots = bytesToSlots(bytes);
  const out: Insn[] = [];
  for (let i = 0; i < slots.length; ) {
    const [insn, n] = decodeOne(slots, i);
    out.push(insn);
    i += n;
  }
  return out;
}
