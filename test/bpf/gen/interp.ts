/**
 * A tiny BPF interpreter for pure tests of generated code: 64/32-bit ALU,
 * jumps, loads and stores on a context buffer and a 512-byte stack, and a
 * table of fake helpers. Enough to run the generators' arithmetic without a kernel.
 */

import { decodeOne } from '../../../src/bpf/insn/decode.js';
import { assemble } from '../../../src/bpf/insn/encode.js';
import type { Insn } from '../../../src/bpf/insn/types.js';

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;
const STACK_BASE = 0x1000_0000n;
const CTX_BASE = 0x2000_0000n;
/** Fake helpers may return pointers into `heap` (a map value, a ring buffer record). */
export const HEAP_BASE = 0x3000_0000n;

export interface RunResult {
  r0: bigint;
  regs: bigint[];
  stack: Uint8Array;
  heap: Uint8Array;
}

export function run(
  insns: readonly Insn[],
  ctx: Uint8Array,
  /** Fake helpers by number; they may write the heap (a map value they return). */
  helpers: Record<number, (regs: bigint[], heap: Uint8Array) => bigint> = {},
  maxSteps = 10_000,
  /** Called before each cmpxchg with the heap: another CPU's store, to test lost races. */
  beforeCmpxchg?: (heap: Uint8Array) => void,
): RunResult {
  const slots = assemble(insns);
  const regs = new Array<bigint>(11).fill(0n);
  const stack = new Uint8Array(512);
  const heap = new Uint8Array(256);
  regs[1] = CTX_BASE;
  regs[10] = STACK_BASE + 512n;
  const mem = (addr: bigint, size: number): [DataView, number] => {
    if (addr >= STACK_BASE && addr + BigInt(size) <= STACK_BASE + 512n)
      return [new DataView(stack.buffer), Number(addr - STACK_BASE)];
    if (addr >= CTX_BASE && addr + BigInt(size) <= CTX_BASE + BigInt(ctx.length))
      return [new DataView(ctx.buffer, ctx.byteOffset), Number(addr - CTX_BASE)];
    if (addr >= HEAP_BASE && addr + BigInt(size) <= HEAP_BASE + 256n)
      return [new DataView(heap.buffer), Number(addr - HEAP_BASE)];
    throw new Error(`bad memory access at 0x${addr.toString(16)}`);
  };
  const load = (addr: bigint, size: number): bigint => {
    const [dv, o] = mem(addr, size);
    return size === 8
      ? dv.getBigUint64(o, true)
      : BigInt(
          size === 4 ? dv.getUint32(o, true) : size === 2 ? dv.getUint16(o, true) : dv.getUint8(o),
        );
  };
  const store = (addr: bigint, size: number, v: bigint) => {
    const [dv, o] = mem(addr, size);
    if (size === 8) dv.setBigUint64(o, v & M64, true);
    else if (size === 4) dv.setUint32(o, Number(v & M32), true);
    else if (size === 2) dv.setUint16(o, Number(v & 0xffffn), true);
    else dv.setUint8(o, Number(v & 0xffn));
  };
  const s64 = (v: bigint) => BigInt.asIntN(64, v);
  let pc = 0;
  for (let step = 0; step < maxSteps; step++) {
    const [insn, n] = decodeOne(slots, pc);
    pc += n;
    switch (insn.kind) {
      case 'exit':
        return { r0: regs[0] as bigint, regs, stack, heap };
      case 'alu': {
        const mask = insn.wide ? M64 : M32;
        const a = (regs[insn.dst] as bigint) & mask;
        const b =
          ('reg' in insn.src
            ? (regs[insn.src.reg] as bigint)
            : BigInt.asUintN(64, BigInt(insn.src.imm))) & mask;
        const bits = insn.wide ? 64 : 32;
        const ops: Record<string, () => bigint> = {
          add: () => a + b,
          sub: () => a - b,
          mul: () => a * b,
          div: () => (b === 0n ? 0n : a / b),
          or: () => a | b,
          and: () => a & b,
          lsh: () => a << (b & BigInt(bits - 1)),
          rsh: () => a >> (b & BigInt(bits - 1)),
          neg: () => -a,
          mod: () => (b === 0n ? a : a % b),
          xor: () => a ^ b,
          mov: () => b,
          arsh: () => BigInt.asIntN(bits, a) >> (b & BigInt(bits - 1)),
        };
        const f = ops[insn.op];
        if (!f) throw new Error(`interp: no ALU op ${insn.op}`);
        regs[insn.dst] = BigInt.asUintN(bits, f());
        break;
      }
      case 'jump': {
        const a = regs[insn.dst] as bigint;
        const b =
          'reg' in insn.src
            ? (regs[insn.src.reg] as bigint)
            : BigInt.asUintN(64, BigInt(insn.src.imm));
        const cmp: Record<string, boolean> = {
          ja: true,
          jeq: a === b,
          jne: a !== b,
          jgt: a > b,
          jge: a >= b,
          jlt: a < b,
          jle: a <= b,
          jset: (a & b) !== 0n,
          jsgt: s64(a) > s64(b),
          jsge: s64(a) >= s64(b),
          jslt: s64(a) < s64(b),
          jsle: s64(a) <= s64(b),
        };
        if (cmp[insn.op]) pc += insn.target as number;
        break;
      }
      case 'load':
        regs[insn.dst] = load((regs[insn.src] as bigint) + BigInt(insn.off), insn.size);
        break;
      case 'store':
        store(
          (regs[insn.dst] as bigint) + BigInt(insn.off),
          insn.size,
          'reg' in insn.src
            ? (regs[insn.src.reg] as bigint)
            : BigInt.asUintN(64, BigInt(insn.src.imm)),
        );
        break;
      case 'call': {
        const h = helpers[insn.imm];
        if (!h) throw new Error(`interp: no helper ${insn.imm}`);
        regs[0] = h(regs, heap) & M64;
        for (const r of [1, 2, 3, 4, 5]) regs[r] = 0n;
        break;
      }
      case 'atomic': {
        if (insn.op === 'cmpxchg' && insn.size === 8) {
          // r0 = *ptr; *ptr = src if it was r0.
          const addr = (regs[insn.dst] as bigint) + BigInt(insn.off);
          beforeCmpxchg?.(heap);
          const old = load(addr, 8);
          if (old === regs[0]) store(addr, 8, regs[insn.src] as bigint);
          regs[0] = old;
          break;
        }
        if (insn.op !== 'add' || insn.fetch)
          throw new Error(`interp: cannot run atomic ${insn.op}`);
        const addr = (regs[insn.dst] as bigint) + BigInt(insn.off);
        store(addr, insn.size, load(addr, insn.size) + (regs[insn.src] as bigint));
        break;
      }
      case 'ldimm64':
        regs[insn.dst] = insn.value;
        break;
      default:
        throw new Error(`interp: cannot run ${insn.kind}`);
    }
  }
  throw new Error('interp: too many steps');
}
