/**
 * What each probe records, as slots of its BPF record: from the tracefs plan's
 * fetch arguments (kprobes, uprobes: pt_regs offsets from the architecture
 * table) or from the tracepoint's format file.
 */
import type { ArchInfo } from '../../arch/types.js';
import { UnsupportedError } from '../../errors.js';
import { parseFetch } from '../../spec/fetch.js';
import type { FetchExpr } from '../../spec/types.js';
import type { FieldFormat } from '../../stream/format.js';
import type { PlannedArg, PlannedProbe } from '../types.js';
import {
  BPF_STRING_MAX,
  type BpfBase,
  type BpfChain,
  type BpfDeref,
  type BpfSlot,
  type IntSize,
} from './types.js';

/** A slot before it has a record offset. */
export type SlotDraft = BpfSlot extends infer S
  ? S extends BpfSlot
    ? Omit<S, 'offset'>
    : never
  : never;

export function unsupported(probe: string, what: string): UnsupportedError {
  return new UnsupportedError(
    'bpf-backend',
    `${probe}: ${what} is not available on the BPF backend`,
    {
      hint: 'use --backend tracefs (or auto, which picks tracefs for this probe)',
    },
  );
}

function isIntSize(n: number): n is IntSize {
  return n === 1 || n === 2 || n === 4 || n === 8;
}

interface ArgContext {
  readonly probe: string;
  readonly arch: ArchInfo;
  readonly side: 'kernel' | 'user';
  readonly regOffset: (reg: string) => number | null;
}

function regBase(c: ArgContext, reg: string): BpfBase {
  const offset = c.regOffset(reg);
  if (offset === null) throw unsupported(c.probe, `register %${reg} on ${c.arch.name}`);
  return { kind: 'ctx', offset, size: (c.arch.bits / 8) as IntSize, signed: false };
}

/** The chain computing a fetch expression's value. */
function chainOf(c: ArgContext, e: FetchExpr): BpfChain {
  const conv = c.side === 'user' ? c.arch.user : c.arch.kernel;
  switch (e.kind) {
    case 'reg':
      return { base: regBase(c, e.reg), derefs: [] };
    case 'argN': {
      const reg = conv.argRegs[e.index - 1];
      if (reg === undefined) throw unsupported(c.probe, `argument ${e.index} (not in a register)`);
      return { base: regBase(c, reg), derefs: [] };
    }
    case 'retval':
      return { base: regBase(c, c.arch.retReg), derefs: [] };
    case 'stack': {
      if (e.index === null) throw unsupported(c.probe, '$stack');
      const word = BigInt(c.arch.bits / 8);
      return {
        base: regBase(c, c.arch.spReg),
        derefs: [{ offset: BigInt(e.index) * word, user: c.side === 'user' }],
      };
    }
    case 'deref': {
      const inner = chainOf(c, e.inner);
      const d: BpfDeref = { offset: e.offset, user: e.user || c.side === 'user' };
      return { base: inner.base, derefs: [...inner.derefs, d] };
    }
    case 'imm': {
      let value: bigint;
      try {
        value = BigInt(e.value);
      } catch {
        throw unsupported(c.probe, `the immediate \\${e.value}`);
      }
      return { base: { kind: 'imm', value }, derefs: [] };
    }
    default:
      throw unsupported(c.probe, `the fetch argument kind '${e.kind}'`);
  }
}

const TYPE = /^([sux])(8|16|32|64)$/;
const BITFIELD = /^b(\d+)@(\d+)\/(8|16|32|64)$/;

/** The fetch body without its `:TYPE` suffix. */
function fetchBody(a: PlannedArg): string {
  const suffix = `:${a.type}`;
  return a.fetch.endsWith(suffix) ? a.fetch.slice(0, -suffix.length) : a.fetch;
}

/** A slot for one fetch argument of a kprobe or uprobe. */
export function argSlot(c: ArgContext, a: PlannedArg, isReturn: boolean): SlotDraft {
  const expr = parseFetch(fetchBody(a), { names: 'kernel', place: c.side, isReturn });
  if (expr.kind === 'comm') return { kind: 'comm', name: a.name, bytes: 16 };
  const chain = chainOf(c, expr);
  const arrayMatch = /^(.*)\[(\d+)\]$/.exec(a.type);
  const base = arrayMatch ? arrayMatch[1]! : a.type;
  const count = arrayMatch ? Number(arrayMatch[2]) : null;
  const last = chain.derefs.at(-1);
  const userSide = c.side === 'user';
  if (base === 'string' || base === 'ustring') {
    if (!last) throw unsupported(c.probe, `a string on a register (${a.token})`);
    const user = base === 'ustring' || last.user || userSide;
    if (count === null) {
      return {
        kind: 'string',
        name: a.name,
        chain,
        user,
        max: BPF_STRING_MAX,
        bytes: BPF_STRING_MAX,
      };
    }
    return {
      kind: 'strings',
      name: a.name,
      chain,
      count,
      pointersUser: last.user || userSide,
      user,
      max: BPF_STRING_MAX,
      bytes: 8 + count * BPF_STRING_MAX,
    };
  }
  const bits = BITFIELD.exec(base);
  if (bits) {
    if (count !== null) throw unsupported(c.probe, `an array of bitfields (${a.token})`);
    return {
      kind: 'int',
      name: a.name,
      chain,
      size: (Number(bits[3]) / 8) as IntSize,
      signed: false,
      bitfield: { width: Number(bits[1]), shift: Number(bits[2]) },
      bytes: 8,
    };
  }
  const t = TYPE.exec(base);
  if (!t) throw unsupported(c.probe, `the type :${a.type}`);
  const size = (Number(t[2]) / 8) as IntSize;
  const signed = t[1] === 's';
  if (count !== null) {
    if (!last) throw unsupported(c.probe, `an array on a register (${a.token})`);
    return {
      kind: 'ints',
      name: a.name,
      chain,
      count,
      size,
      signed,
      user: last.user || userSide,
      bytes: 8 * count,
    };
  }
  return { kind: 'int', name: a.name, chain, size, signed, bitfield: null, bytes: 8 };
}

/** A slot for a tracepoint field; `type` is the probe's `:TYPE` on it, when given. */
export function fieldSlot(probe: string, f: FieldFormat, type: string | null): SlotDraft {
  if (type !== null && /^u?string(\[\d+\])?$/.test(type)) {
    if (
      f.arrayLength !== null ||
      f.isDataLoc ||
      f.isRelLoc ||
      f.size !== 8 ||
      !f.type.includes('*')
    ) {
      throw unsupported(
        probe,
        `:${type} on the field ${f.name} (${f.type}), which is not a pointer`,
      );
    }
    const chain: BpfChain = {
      base: { kind: 'ctx', offset: f.offset, size: 8, signed: false },
      derefs: [{ offset: 0n, user: type.startsWith('u') }],
    };
    const user = type.startsWith('u');
    const m = /\[(\d+)\]$/.exec(type);
    if (m) {
      const count = Number(m[1]);
      return {
        kind: 'strings',
        name: f.name,
        chain,
        count,
        pointersUser: user,
        user,
        max: BPF_STRING_MAX,
        bytes: 8 + count * BPF_STRING_MAX,
      };
    }
    return {
      kind: 'string',
      name: f.name,
      chain,
      user,
      max: BPF_STRING_MAX,
      bytes: BPF_STRING_MAX,
    };
  }
  if (type !== null) {
    throw unsupported(
      probe,
      `the type :${type} on the tracepoint field ${f.name} (only :string, :ustring and their arrays)`,
    );
  }
  if (f.isRelLoc) throw unsupported(probe, `the __rel_loc field ${f.name}`);
  if (f.isDataLoc) {
    if (!f.isString) throw unsupported(probe, `the dynamic array ${f.name}`);
    return {
      kind: 'ctx-string',
      name: f.name,
      ctxOffset: f.offset,
      dataLoc: true,
      max: BPF_STRING_MAX,
      bytes: BPF_STRING_MAX,
    };
  }
  if (f.isString) {
    const max = Math.min(f.size + 1, BPF_STRING_MAX);
    return {
      kind: 'ctx-string',
      name: f.name,
      ctxOffset: f.offset,
      dataLoc: false,
      max,
      bytes: (max + 7) & ~7,
    };
  }
  if (f.arrayLength !== null) {
    if (!isIntSize(f.elementSize))
      throw unsupported(probe, `the array field ${f.name} (${f.type})`);
    return {
      kind: 'ctx-ints',
      name: f.name,
      ctxOffset: f.offset,
      count: f.arrayLength,
      size: f.elementSize,
      signed: f.signed,
      bytes: 8 * f.arrayLength,
    };
  }
  if (!isIntSize(f.size))
    throw unsupported(probe, `the field ${f.name} (${f.type}, ${f.size} bytes)`);
  const narrow = f.narrow && isIntSize(f.narrow.size) ? f.narrow : null;
  return {
    kind: 'int',
    name: f.name,
    chain: { base: { kind: 'ctx', offset: f.offset, size: f.size, signed: f.signed }, derefs: [] },
    size: (narrow?.size ?? f.size) as IntSize,
    signed: narrow?.signed ?? f.signed,
    bitfield: null,
    bytes: 8,
  };
}

/** The probe's drafts: its arguments, or the tracepoint's fields. */
export function probeSlots(
  p: PlannedProbe,
  arch: ArchInfo,
  regOffset: (reg: string) => number | null,
  fields: readonly FieldFormat[] | null,
): SlotDraft[] {
  const probe = p.spec.text;
  if (p.kind === 'tracepoint') {
    if (!fields) throw unsupported(probe, 'a tracepoint whose format could not be read');
    const byName = new Map(fields.map((f) => [f.name, f]));
    if (p.spec.args === null || p.spec.allArgs) return fields.map((f) => fieldSlot(probe, f, null));
    return p.spec.args.map((a) => {
      const f = byName.get(a.name);
      if (!f) throw unsupported(probe, `the field ${a.name}`);
      return fieldSlot(probe, f, a.type?.text ?? null);
    });
  }
  const side = p.kind === 'uprobe' || p.kind === 'uretprobe' ? 'user' : 'kernel';
  const isReturn = p.kind === 'kretprobe' || p.kind === 'uretprobe';
  const c: ArgContext = { probe, arch, side, regOffset };
  return p.args.map((a) => argSlot(c, a, isReturn));
}
