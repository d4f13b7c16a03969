/**
 * Aggregation by key in a hash map, in the kernel: count events (and sum a
 * measured value, or keep its sum, min and max, or put it in a log2 or
 * linear bucket that is part of the key), only
 * for the processes and under the condition given. funccount -P, syscount,
 * funclatency and argdist are all this program with different keys.
 *
 * Steps: process filter; 'elapsed' measure (look up and delete the thread's
 * entry stamp, latency.ts); condition; key; lookup → atomic add, or insert
 * with BPF_NOEXIST (a lost race adds to the winner's value).
 *
 * Key parts are laid out in order, each aligned to its size; the key is
 * zero-filled first so padding never splits a key in two.
 *
 * Value: u64 count, then with `sum` a u64 sum of the measure; with `stats`
 * the sum, then the min and the max of the measure (compared signed when the
 * measure is). Count and sum are atomic adds. Min and max are updated by
 * compare-and-swap (BPF_CMPXCHG, kernel 5.12): read the bound, stop when it
 * already holds, else cmpxchg and retry with the value another CPU stored.
 * The verifier rejects an unbounded retry loop, so the tries are unrolled,
 * CAS_TRIES of them: an update is lost only when other CPUs move the same
 * bound CAS_TRIES times during it. A per-CPU hash would be exact but would
 * keep one value per CPU for every key and change every reader.
 *
 * Stack: fp-8 stats index, fp-24 stamp key (latency.ts, dead once measured),
 * fp-40 the initial value {1, measure[, measure, measure]} (fp-40..fp-8), and
 * the key below fp-40. r6 = ctx, r7 = the value (stats), r8 = the measure.
 */
import { ProbekitError } from '../../errors.js';
import {
  add64,
  alu64,
  atomic,
  call,
  ja,
  jeq64,
  jmp64,
  jne64,
  label,
  ldImm64,
  ldMapFd,
  ldx,
  mov32,
  mov64,
  type RegName,
  rsh64,
  st,
} from '../insn/builder.js';
import type { Insn } from '../insn/types.js';
import { StackIdFlags } from '../sys/numbers.js';
import type { CtxScalar } from './context.js';
import { log2Bucket } from './hist.js';
import { STAMP_KEY, stampKey } from './latency.js';
import { type ProcessFilter, processFilter } from './process.js';
import { loadScalar, returnZero } from './snippets.js';

/** A number the program reads: a context scalar, or the current thread, process or CPU. */
export type Operand =
  | { readonly kind: 'ctx'; readonly scalar: CtxScalar }
  | { readonly kind: 'tid' }
  | { readonly kind: 'tgid' }
  | { readonly kind: 'cpu' };

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&';

/** A condition on operands; comparisons are signed when the operand is. */
export type Cond =
  | { readonly kind: 'and' | 'or'; readonly left: Cond; readonly right: Cond }
  | { readonly kind: 'not'; readonly operand: Cond }
  | {
      readonly kind: 'cmp';
      readonly operand: Operand;
      readonly op: CmpOp;
      readonly value: bigint;
    };

export type KeyPart =
  /** A u32 constant (the probe's index in the run). */
  | { readonly kind: 'const'; readonly value: number }
  /** The process id (u32). */
  | { readonly kind: 'tgid' }
  /** The task name (16 bytes). */
  | { readonly kind: 'comm' }
  /** A u64 operand (sign-extended when signed). */
  | { readonly kind: 'operand'; readonly operand: Operand }
  /** The log2 bucket (u32) of the measure: 0 for 0, k for [2^(k-1), 2^k). */
  | { readonly kind: 'log2' }
  /**
   * The linear bucket (u32) of the measure, like bpftrace's lhist: 0 below
   * `min`, 1 + (measure - min) / step up to `max`, linearBuckets() + 1 at
   * `max` and above. Not divided by `divisor`.
   */
  | { readonly kind: 'linear'; readonly min: bigint; readonly max: bigint; readonly step: bigint }
  /**
   * The stack id (s32) bpf_get_stackid returns for this stack trace map: the
   * kernel stack, or the user stack with `user`. A negative errno (-EEXIST: a
   * different stack holds the hash bucket; -EFAULT, -ENOMEM) is kept as is,
   * so the event still counts, under a lost stack.
   */
  | { readonly kind: 'stack'; readonly stackMapFd: number; readonly user?: boolean };

/** What the value sums, or the log2 key part buckets. */
export type Measure =
  | {
      readonly kind: 'operand';
      readonly operand: Operand;
      /** Negative values (of a signed operand) count as 0. */
      readonly clampNegative?: boolean;
    }
  | {
      /** Nanoseconds since the thread's entry stamp (latency.ts), which is deleted. */
      readonly kind: 'elapsed';
      readonly stampsFd: number;
      readonly index: number;
      /** Skip events without a stamp (else they count with 0 ns). */
      readonly requireStamp: boolean;
    };

export interface KeyedProgramOptions extends ProcessFilter {
  /** Hash map: key (keyLayout(key).size bytes) → value (keyedValueSize bytes). */
  readonly mapFd: number;
  readonly key: readonly KeyPart[];
  readonly measure?: Measure;
  /** The value also sums the measure (after the count). */
  readonly sum?: boolean;
  /** The value is {count, sum, min, max} of the measure (32 bytes); implies `sum`. */
  readonly stats?: boolean;
  /** The log2 key part buckets the measure divided by this (ns → us: 1000). */
  readonly divisor?: number;
  readonly cond?: Cond;
  /**
   * Per-CPU array (u32 → u64) of what was not counted: slot 0 events whose
   * key did not fit (map full), slot 1 events skipped for want of an entry stamp.
   */
  readonly statsFd?: number;
}

export const STAT_FULL = 0;
export const STAT_NO_STAMP = 1;
export const STAT_SLOTS = 2;

/** Largest key, bytes (the key sits on the 512-byte BPF stack). */
export const MAX_KEY = 256;

export interface KeyLayout {
  readonly size: number;
  /** Byte offset of each part in the key. */
  readonly offsets: readonly number[];
}

function partSize(p: KeyPart): 4 | 8 | 16 {
  return p.kind === 'operand' ? 8 : p.kind === 'comm' ? 16 : 4;
}

/** Where each part sits in the key; parts are aligned to their size (comm to 8). */
export function keyLayout(parts: readonly KeyPart[]): KeyLayout {
  let at = 0;
  const offsets = parts.map((p) => {
    const size = partSize(p);
    const align = Math.min(size, 8);
    at = Math.ceil(at / align) * align;
    const o = at;
    at += size;
    return o;
  });
  const size = Math.max(8, Math.ceil(at / 8) * 8);
  if (size > MAX_KEY)
    throw new ProbekitError(
      'E_BPF_KEY',
      `a key of ${size} bytes is too large (at most ${MAX_KEY})`,
    );
  return { size, offsets };
}

/** What a value holds: the count; count and sum; or count, sum, min and max. */
export type ValueLayout = 'count' | 'sum' | 'stats';

/** Value bytes: u64 count, and u64 sum with `sum` (true), and u64 min and max with 'stats'. */
export function keyedValueSize(sum: boolean | ValueLayout): 8 | 16 | 32 {
  if (sum === 'stats') return 32;
  return sum === true || sum === 'sum' ? 16 : 8;
}

/** Offsets of the fields of a 'stats' value. */
export const VALUE_COUNT = 0;
export const VALUE_SUM = 8;
export const VALUE_MIN = 16;
export const VALUE_MAX = 24;

/** Compare-and-swap tries of one min or max update (see the file comment). */
export const CAS_TRIES = 8;

/** Most regular buckets of a linear key part. */
export const MAX_LINEAR_BUCKETS = 10_000;

/** Regular buckets of a linear key part: ceil((max - min) / step), checked. */
export function linearBuckets(p: { min: bigint; max: bigint; step: bigint }): number {
  if (p.step <= 0n || p.max <= p.min)
    throw new ProbekitError(
      'E_BPF_KEY',
      `a linear histogram needs min < max and step > 0, got min ${p.min}, max ${p.max}, step ${p.step}`,
    );
  const n = (p.max - p.min + p.step - 1n) / p.step;
  if (n > BigInt(MAX_LINEAR_BUCKETS))
    throw new ProbekitError(
      'E_BPF_KEY',
      `a linear histogram of ${n} buckets is too large (at most ${MAX_LINEAR_BUCKETS})`,
    );
  return Number(n);
}

const STATS_KEY = -8;
const INIT = -40;

/** dst = operand. Clobbers r0-r5 for thread, process and CPU (helper calls). */
function loadOperand(dst: RegName, o: Operand): Insn[] {
  switch (o.kind) {
    case 'ctx':
      return loadScalar(dst, 'r6', o.scalar);
    case 'tid':
      return [call('get_current_pid_tgid'), mov32(dst, 'r0')];
    case 'tgid':
      return [call('get_current_pid_tgid'), mov64(dst, 'r0'), rsh64(dst, 32)];
    case 'cpu':
      return [call('get_smp_processor_id'), mov64(dst, 'r0')];
  }
}

function operandSigned(o: Operand): boolean {
  return o.kind === 'ctx' && o.scalar.signed;
}

const JUMP: Record<CmpOp, [Parameters<typeof jmp64>[0], Parameters<typeof jmp64>[0]]> = {
  '==': ['jeq', 'jeq'],
  '!=': ['jne', 'jne'],
  '<': ['jlt', 'jslt'],
  '<=': ['jle', 'jsle'],
  '>': ['jgt', 'jsgt'],
  '>=': ['jge', 'jsge'],
  '&': ['jset', 'jset'],
};

function fits32(v: bigint): boolean {
  return v >= -(1n << 31n) && v < 1n << 31n;
}

class Labels {
  #n = 0;
  fresh(base: string): string {
    return `${base}_${this.#n++}`;
  }
}

/** Jumps to `yes` when the condition holds, to `no` otherwise. Clobbers r0-r5. */
export function condCode(c: Cond, yes: string, no: string, labels = new Labels()): Insn[] {
  switch (c.kind) {
    case 'and': {
      const mid = labels.fresh('and');
      return [
        ...condCode(c.left, mid, no, labels),
        label(mid),
        ...condCode(c.right, yes, no, labels),
      ];
    }
    case 'or': {
      const mid = labels.fresh('or');
      return [
        ...condCode(c.left, yes, mid, labels),
        label(mid),
        ...condCode(c.right, yes, no, labels),
      ];
    }
    case 'not':
      return condCode(c.operand, no, yes, labels);
    case 'cmp': {
      const op = JUMP[c.op][operandSigned(c.operand) ? 1 : 0];
      const out = loadOperand('r1', c.operand);
      if (fits32(c.value)) out.push(jmp64(op, 'r1', Number(c.value), yes));
      else out.push(ldImm64('r2', c.value), jmp64(op, 'r1', 'r2', yes));
      out.push(ja(no));
      return out;
    }
  }
}

function stat(statsFd: number | undefined, slot: number): Insn[] {
  if (statsFd === undefined) return [];
  return [
    st(4, 'r10', STATS_KEY, slot),
    ldMapFd('r1', statsFd),
    mov64('r2', 'r10'),
    add64('r2', STATS_KEY),
    call('map_lookup_elem'),
    jeq64('r0', 0, 'out'),
    mov64('r1', 1),
    atomic('add', 8, 'r0', 0, 'r1'),
  ];
}

/** r8 = ns since this thread's stamp; the stamp is deleted. */
function elapsed(m: Extract<Measure, { kind: 'elapsed' }>, statsFd: number | undefined): Insn[] {
  return [
    ...stampKey(m.index),
    mov64('r8', 0),
    ldMapFd('r1', m.stampsFd),
    mov64('r2', 'r10'),
    add64('r2', STAMP_KEY),
    call('map_lookup_elem'),
    jne64('r0', 0, 'stamped'),
    ...(m.requireStamp ? [...stat(statsFd, STAT_NO_STAMP), ja('out')] : [ja('measured')]),
    label('stamped'),
    ldx(8, 'r7', 'r0', 0),
    call('ktime_get_ns'),
    mov64('r8', 'r0'),
    alu64('sub', 'r8', 'r7'),
    ldMapFd('r1', m.stampsFd),
    mov64('r2', 'r10'),
    add64('r2', STAMP_KEY),
    call('map_delete_elem'),
    label('measured'),
  ];
}

/** Whether the measure compares signed: a signed operand not clamped at 0. */
function measureSigned(m: Measure): boolean {
  return m.kind === 'operand' && operandSigned(m.operand) && m.clampNegative !== true;
}

/** r1 = the linear bucket of r8 (see KeyPart 'linear'). Clobbers r2. */
function linearBucket(
  p: Extract<KeyPart, { kind: 'linear' }>,
  signed: boolean,
  name: string,
): Insn[] {
  const n = linearBuckets(p);
  if (!signed && p.min < 0n)
    throw new ProbekitError(
      'E_BPF_KEY',
      `a linear histogram of an unsigned value needs min >= 0, got ${p.min}`,
    );
  const done = `${name}_done`;
  const [lt, ge] = signed ? (['jslt', 'jsge'] as const) : (['jlt', 'jge'] as const);
  const compare = (op: typeof lt | typeof ge, v: bigint): Insn[] =>
    fits32(v)
      ? [jmp64(op, 'r8', Number(v), done)]
      : [ldImm64('r2', v), jmp64(op, 'r8', 'r2', done)];
  const out: Insn[] = [mov64('r1', 0), ...compare(lt, p.min), mov64('r1', n + 1)];
  out.push(...compare(ge, p.max), mov64('r1', 'r8'));
  // In [min, max): 0 <= r1 - min < max - min, so the unsigned division is right.
  if (fits32(p.min)) out.push(alu64('sub', 'r1', Number(p.min)));
  else out.push(ldImm64('r2', p.min), alu64('sub', 'r1', 'r2'));
  if (p.step < 1n << 31n) out.push(alu64('div', 'r1', Number(p.step)));
  else out.push(ldImm64('r2', p.step), alu64('div', 'r1', 'r2'));
  out.push(add64('r1', 1), label(done));
  return out;
}

/**
 * *(r7 + off) = the min ('jle') or max ('jge') of itself and r8, by
 * compare-and-swap, CAS_TRIES times at most. Clobbers r0, r1.
 */
function casBound(off: number, holds: 'jle' | 'jsle' | 'jge' | 'jsge', name: string): Insn[] {
  const done = `${name}_done`;
  const out: Insn[] = [ldx(8, 'r0', 'r7', off)];
  for (let t = 0; t < CAS_TRIES; t++)
    out.push(
      jmp64(holds, 'r0', 'r8', done),
      mov64('r1', 'r0'),
      // r0 = the value before; r8 stored only if it was still r1.
      atomic('cmpxchg', 8, 'r7', off, 'r8'),
      jeq64('r0', 'r1', done),
    );
  out.push(label(done));
  return out;
}

/** Count, sum, min and max updated in the value at r0 (see the file comment). */
function updateStats(signed: boolean): Insn[] {
  return [
    mov64('r7', 'r0'),
    mov64('r1', 1),
    atomic('add', 8, 'r7', VALUE_COUNT, 'r1'),
    atomic('add', 8, 'r7', VALUE_SUM, 'r8'),
    ...casBound(VALUE_MIN, signed ? 'jsle' : 'jle', 'min'),
    ...casBound(VALUE_MAX, signed ? 'jsge' : 'jge', 'max'),
  ];
}

function buildKey(o: KeyedProgramOptions, base: number): Insn[] {
  const { size, offsets } = keyLayout(o.key);
  const out: Insn[] = [];
  for (let w = 0; w < size; w += 8) out.push(st(8, 'r10', base + w, 0));
  o.key.forEach((p, i) => {
    const at = base + (offsets[i] as number);
    switch (p.kind) {
      case 'const':
        out.push(st(4, 'r10', at, p.value));
        return;
      case 'tgid':
        out.push(...loadOperand('r1', { kind: 'tgid' }), st(4, 'r10', at, 'r1'));
        return;
      case 'comm':
        out.push(mov64('r1', 'r10'), add64('r1', at), mov64('r2', 16), call('get_current_comm'));
        return;
      case 'operand':
        out.push(...loadOperand('r1', p.operand), st(8, 'r10', at, 'r1'));
        return;
      case 'log2': {
        if (!o.measure) throw new ProbekitError('E_BPF_KEY', 'a log2 key part needs a measure');
        out.push(mov64('r1', 'r8'));
        if (o.divisor !== undefined && o.divisor > 1) out.push(alu64('div', 'r1', o.divisor));
        out.push(...log2Bucket(), st(4, 'r10', at, 'r2'));
        return;
      }
      case 'linear': {
        if (!o.measure) throw new ProbekitError('E_BPF_KEY', 'a linear key part needs a measure');
        out.push(...linearBucket(p, measureSigned(o.measure), `lin${i}`), st(4, 'r10', at, 'r1'));
        return;
      }
      case 'stack':
        out.push(
          mov64('r1', 'r6'),
          ldMapFd('r2', p.stackMapFd),
          mov64('r3', p.user ? StackIdFlags.user : 0),
          call('get_stackid'),
          st(4, 'r10', at, 'r0'),
        );
        return;
    }
  });
  return out;
}

/** The program: see the file comment. */
export function keyedProgram(o: KeyedProgramOptions): Insn[] {
  const { size } = keyLayout(o.key);
  const key = INIT - size;
  const stats = o.stats === true;
  const sum = o.sum === true || stats;
  if (sum && !o.measure) throw new ProbekitError('E_BPF_KEY', 'a sum needs a measure');
  const signed = o.measure !== undefined && measureSigned(o.measure);
  const out: Insn[] = [mov64('r6', 'r1'), mov64('r8', 0), ...processFilter(o, 'out')];
  if (o.measure?.kind === 'elapsed') out.push(...elapsed(o.measure, o.statsFd));
  if (o.cond) out.push(...condCode(o.cond, 'matched', 'out'), label('matched'));
  if (o.measure?.kind === 'operand') {
    out.push(...loadOperand('r8', o.measure.operand));
    if (o.measure.clampNegative && operandSigned(o.measure.operand))
      out.push(jmp64('jsge', 'r8', 0, 'clamped'), mov64('r8', 0), label('clamped'));
  }
  out.push(
    ...buildKey(o, key),
    ldMapFd('r1', o.mapFd),
    mov64('r2', 'r10'),
    add64('r2', key),
    call('map_lookup_elem'),
    jeq64('r0', 0, 'insert'),
    label('add'),
    ...(stats
      ? updateStats(signed)
      : [
          mov64('r1', 1),
          atomic('add', 8, 'r0', 0, 'r1'),
          ...(sum ? [atomic('add', 8, 'r0', 8, 'r8')] : []),
        ]),
    ja('out'),
    label('insert'),
    st(8, 'r10', INIT, 1),
    ...(sum ? [st(8, 'r10', INIT + 8, 'r8')] : []),
    ...(stats ? [st(8, 'r10', INIT + VALUE_MIN, 'r8'), st(8, 'r10', INIT + VALUE_MAX, 'r8')] : []),
    ldMapFd('r1', o.mapFd),
    mov64('r2', 'r10'),
    add64('r2', key),
    mov64('r3', 'r10'),
    add64('r3', INIT),
    mov64('r4', 1), // BPF_NOEXIST
    call('map_update_elem'),
    jeq64('r0', 0, 'out'),
    // Another CPU inserted the key first: add to its value. Else the map is full.
    ldMapFd('r1', o.mapFd),
    mov64('r2', 'r10'),
    add64('r2', key),
    call('map_lookup_elem'),
    jne64('r0', 0, 'add'),
    ...stat(o.statsFd, STAT_FULL),
    label('out'),
    ...returnZero(),
  );
  return out;
}
