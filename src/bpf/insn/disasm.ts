/**
 * bpftool-like text for instructions:
 *   r1 = *(u32 *)(r2 + 8)      if r1 > 0x10 goto +3      call bpf_map_lookup_elem#1
 */

import { slotCount } from './encode.js';
import { helperName } from './helpers.js';
import type { AluOpName, JmpOpName } from './opcodes.js';
import type { Insn, Operand, Target } from './types.js';

const ALU_SYM = {
  add: '+=',
  sub: '-=',
  mul: '*=',
  div: '/=',
  or: '|=',
  and: '&=',
  lsh: '<<=',
  rsh: '>>=',
  mod: '%=',
  xor: '^=',
  mov: '=',
  arsh: 's>>=',
} as const satisfies Partial<Record<AluOpName, string>>;

const JMP_SYM = {
  jeq: '==',
  jgt: '>',
  jge: '>=',
  jset: '&',
  jne: '!=',
  jsgt: 's>',
  jsge: 's>=',
  jlt: '<',
  jle: '<=',
  jslt: 's<',
  jsle: 's<=',
} as const satisfies Partial<Record<JmpOpName, string>>;

const ATOMIC_SYM = { add: '+=', or: '|=', and: '&=', xor: '^=' } as const;

function r(n: number, wide: boolean): string {
  return `${wide ? 'r' : 'w'}${n}`;
}

function hex(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

function opnd(o: Operand, wide: boolean, asHex: boolean): string {
  return 'reg' in o ? r(o.reg, wide) : asHex ? hex(o.imm) : String(o.imm);
}

function target(t: Target): string {
  return typeof t === 'number' ? (t >= 0 ? `+${t}` : String(t)) : `<${t}>`;
}

function mem(size: number, base: number, off: number, signed = false): string {
  const sign = off < 0 ? `- ${-off}` : `+ ${off}`;
  return `*(${signed ? 's' : 'u'}${size * 8} *)(r${base} ${sign})`;
}

/** One instruction as text. */
export function disasmInsn(insn: Insn): string {
  switch (insn.kind) {
    case 'label':
      return `${insn.name}:`;
    case 'exit':
      return 'exit';
    case 'call': {
      if (insn.src === 'helper') return `call ${helperName(insn.imm) ?? 'helper'}#${insn.imm}`;
      if (insn.src === 'local') return `call pc${insn.imm >= 0 ? '+' : ''}${insn.imm}`;
      return `call kfunc#${insn.imm}`;
    }
    case 'alu': {
      const d = r(insn.dst, insn.wide);
      if (insn.op === 'neg') return `${d} = -${d}`;
      if (insn.op === 'mov' && insn.off !== 0) {
        return `${d} = (s${insn.off})${opnd(insn.src, insn.wide, false)}`;
      }
      const signed = (insn.op === 'div' || insn.op === 'mod') && insn.off === 1 ? 's' : '';
      return `${d} ${signed}${ALU_SYM[insn.op]} ${opnd(insn.src, insn.wide, false)}`;
    }
    case 'endian': {
      const name = insn.order === 'swap' ? 'bswap' : insn.order;
      return `r${insn.dst} = ${name}${insn.bits} r${insn.dst}`;
    }
    case 'jump': {
      if (insn.op === 'ja') return `${insn.wide ? 'goto' : 'gotol'} ${target(insn.target)}`;
      return `if ${r(insn.dst, insn.wide)} ${JMP_SYM[insn.op]} ${opnd(insn.src, insn.wide, true)} goto ${target(insn.target)}`;
    }
    case 'ldimm64': {
      const lo = Number(insn.value & 0xffffffffn);
      const hi = Number(insn.value >> 32n);
      switch (insn.pseudo) {
        case 'imm':
          return `r${insn.dst} = 0x${insn.value.toString(16)} ll`;
        case 'map_fd':
          return `r${insn.dst} = map[fd:${lo}]`;
        case 'map_value':
          return `r${insn.dst} = map[fd:${lo}][0]+${hi}`;
        case 'map_idx':
          return `r${insn.dst} = map[idx:${lo}]`;
        case 'map_idx_value':
          return `r${insn.dst} = map[idx:${lo}][0]+${hi}`;
        case 'btf_id':
          return `r${insn.dst} = btf_id[${lo}]`;
        case 'func':
          return `r${insn.dst} = func pc+${lo}`;
      }
      return `r${insn.dst} = ?`;
    }
    case 'load':
      return `r${insn.dst} = ${mem(insn.size, insn.src, insn.off, insn.signed)}`;
    case 'store':
      return `${mem(insn.size, insn.dst, insn.off)} = ${opnd(insn.src, true, false)}`;
    case 'atomic': {
      const wide = insn.size === 8;
      const s = r(insn.src, wide);
      const ptr = `(u${insn.size * 8} *)(r${insn.dst} ${insn.off < 0 ? `- ${-insn.off}` : `+ ${insn.off}`})`;
      const fn = wide ? 'atomic64' : 'atomic';
      if (insn.op === 'xchg') return `${s} = ${fn}_xchg(${ptr}, ${s})`;
      if (insn.op === 'cmpxchg')
        return `${r(0, wide)} = ${fn}_cmpxchg(${ptr}, ${r(0, wide)}, ${s})`;
      if (insn.fetch) return `${s} = ${fn}_fetch_${insn.op}(${ptr}, ${s})`;
      return `lock *${ptr} ${ATOMIC_SYM[insn.op]} ${s}`;
    }
    case 'ldpkt': {
      const where = insn.mode === 'abs' ? `${insn.imm}` : `r${insn.src} + ${insn.imm}`;
      return `r0 = *(u${insn.size * 8} *)skb[${where}]`;
    }
  }
}

/** A whole program, one numbered line per instruction (numbered by slot, as the verifier does). */
export function disasm(insns: readonly Insn[]): string {
  const lines: string[] = [];
  let slot = 0;
  for (const insn of insns) {
    if (insn.kind === 'label') lines.push(`${insn.name}:`);
    else lines.push(`${String(slot).padStart(4)}: ${disasmInsn(insn)}`);
    slot += slotCount(insn);
  }
  return lines.join('\n');
}

/** The instruction that occupies slot `n` (the verifier's numbering), if any. */
export function insnAtSlot(insns: readonly Insn[], n: number): Insn | undefined {
  let slot = 0;
  for (const insn of insns) {
    const c = slotCount(insn);
    if (c > 0 && slot === n) return insn;
    slot += c;
  }
  return undefined;
}
