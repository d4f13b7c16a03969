/** Argument values counted, measured (count, sum, min, max) or bucketed in the kernel (argdist). */
import { endianness } from 'node:os';
import { Log2Histogram } from '../../analysis/histogram.js';
import { LinearHistogram } from '../../analysis/linear.js';
import type { CtxScalar } from '../../bpf/gen/context.js';
import {
  type Cond,
  type KeyPart,
  keyedProgram,
  MAX_LINEAR_BUCKETS,
  type Measure,
  VALUE_MAX,
  VALUE_MIN,
} from '../../bpf/gen/keyed.js';
import { stampProgram } from '../../bpf/gen/latency.js';
import { UsageError } from '../../errors.js';
import { BPF_HEADER, type BpfCond, type BpfProbePlan, type BpfSlot } from '../../plan/bpf/types.js';
import type { PlannedProbe, ProbePlan } from '../../plan/types.js';
import type { ProbeSpec } from '../../spec/types.js';
import { intValue } from '../../stream/values.js';
import { bpfPlanFor } from '../bpf-source.js';
import { prepare } from '../prepare.js';
import {
  type AggregateOptions,
  type Aggregation,
  addBucket,
  Builder,
  build,
  checkOptions,
  common,
  countOf,
  dv,
  KeyedMap,
  readEntries,
  requireBpf,
  sumOf,
  targetOf,
  tracefsOption,
  unsupported,
} from './shared.js';

/** A named value of the probe as the program loads it, and how to show it. */
interface Value {
  readonly name: string;
  readonly scalar: CtxScalar;
}

function scalarOf(probe: string, s: BpfSlot): CtxScalar {
  if (s.kind !== 'int')
    throw unsupported(
      `${probe}: the ${s.kind === 'comm' ? 'task name' : s.kind} argument ${s.name}`,
    );
  if (s.bitfield) throw unsupported(`${probe}: the bitfield ${s.name}`);
  if (s.chain.derefs.length > 0) throw unsupported(`${probe}: ${s.name}, read through a pointer,`);
  const base = s.chain.base;
  if (base.kind !== 'ctx') throw unsupported(`${probe}: the constant ${s.name}`);
  // A narrower type reads the low bytes of the register or field: little-endian only.
  if (s.size < base.size && endianness() !== 'LE')
    throw unsupported(`${probe}: ${s.name} narrowed on a big-endian machine`);
  const size = Math.min(s.size, base.size) as 1 | 2 | 4 | 8;
  return { offset: base.offset, size, signed: s.signed, name: s.name };
}

function condOf(probe: string, c: BpfCond, slots: readonly BpfSlot[]): Cond {
  switch (c.kind) {
    case 'and':
    case 'or':
      return {
        kind: c.kind,
        left: condOf(probe, c.left, slots),
        right: condOf(probe, c.right, slots),
      };
    case 'not':
      return { kind: 'not', operand: condOf(probe, c.operand, slots) };
    case 'str':
      throw unsupported(`${probe}: a filter comparing text`);
    case 'cmp': {
      const at = c.operand.offset;
      if (at === BPF_HEADER.pid)
        return { kind: 'cmp', operand: { kind: 'tid' }, op: c.op, value: c.value };
      if (at === BPF_HEADER.cpu)
        return { kind: 'cmp', operand: { kind: 'cpu' }, op: c.op, value: c.value };
      const s = slots.find((x) => x.offset === at);
      if (!s) throw unsupported(`${probe}: this filter`);
      return {
        kind: 'cmp',
        operand: { kind: 'ctx', scalar: scalarOf(probe, s) },
        op: c.op,
        value: c.value,
      };
    }
  }
}

/** The probe's values (in order) and filter, as context scalars. */
function valuesOf(plan: ProbePlan, p: PlannedProbe): { values: Value[]; cond: Cond | null } {
  const probe = p.spec.text;
  if (p.spec.args === null || p.spec.args.length === 0)
    throw new UsageError('E_USAGE', `${probe} names no argument to aggregate`, {
      hint: "add the arguments in parentheses, e.g. 'u:libc:malloc(size)'",
    });
  const planned: BpfProbePlan = bpfPlanFor({ ...plan, probes: [p] })[0]!;
  const shown = planned.slots.filter((s) => !planned.hidden.includes(s.name));
  return {
    values: shown.map((s) => ({ name: s.name, scalar: scalarOf(probe, s) })),
    cond: planned.filter ? condOf(probe, planned.filter, planned.slots) : null,
  };
}

/** The argument `name` of the probe, or a usage error listing them. */
function argument(main: PlannedProbe, values: readonly Value[], name: string): Value {
  const v = values.find((x) => x.name === name);
  if (!v)
    throw new UsageError('E_USAGE', `${main.spec.text} has no argument '${name}'`, {
      hint: `arguments: ${values.map((x) => x.name).join(', ')}`,
    });
  return v;
}

/** The key: the process and its task name with `withProcess`, then the values. */
function keyParts(keyed: readonly Value[], withProcess: boolean): KeyPart[] {
  return [
    ...(withProcess ? [{ kind: 'tgid' } as const, { kind: 'comm' } as const] : []),
    ...keyed.map((v) => ({
      kind: 'operand' as const,
      operand: { kind: 'ctx' as const, scalar: v.scalar },
    })),
  ];
}

/** A key read back: its values, process, and an id that merges keys differing only by comm. */
function rowKey(
  km: KeyedMap,
  k: Uint8Array,
  keyed: readonly Value[],
  withProcess: boolean,
  first: number,
) {
  const values: Record<string, bigint | number> = {};
  keyed.forEach((x, i) => {
    values[x.name] = intValue(km.u64(k, first + i), x.scalar.size, x.scalar.signed);
  });
  const tgid = withProcess ? km.u32(k, 0) : null;
  return {
    id: `${tgid ?? ''}/${keyed.map((x) => String(values[x.name])).join('/')}`,
    values,
    tgid,
    comm: withProcess ? km.comm(k, 1) : null,
  };
}

export interface ValueCountOptions extends AggregateOptions {
  /** The arguments that make the key, in order (default: every argument of the probe). */
  readonly values?: readonly string[];
  /** Key also on the process and its task name. */
  readonly withProcess?: boolean;
  /**
   * Also sum the time from this probe, on the same thread, to the counted
   * event (syscall latency: `t:raw_syscalls:sys_enter`). Events without an
   * earlier entry count with 0 ns.
   */
  readonly timeFrom?: string | ProbeSpec;
}

export interface ValueCount {
  /** The key's argument values, typed as trace() gives them (number below 8 bytes, bigint at 8). */
  readonly values: Readonly<Record<string, bigint | number>>;
  readonly tgid: number | null;
  readonly comm: string | null;
  readonly count: number;
  /** With timeFrom: nanoseconds from the entry probe, summed over these events. */
  readonly totalNs: bigint;
}

export interface ValueCounter extends Aggregation {
  /** The argument names of the key, in order. */
  readonly names: readonly string[];
  /** Counts by key since the start (or the last reset); `reset` starts a new interval. */
  read(options?: { readonly reset?: boolean }): ValueCount[];
}

/**
 * Counts each distinct tuple of a probe's argument values in the kernel (a
 * hash keyed by the values), under the probe's filter (`if ...`, numbers only).
 * Arguments must be integers in registers or tracepoint fields.
 */
export async function valueCounts(
  spec: string | ProbeSpec,
  options: ValueCountOptions = {},
): Promise<ValueCounter> {
  checkOptions(options);
  requireBpf();
  const input = options.timeFrom === undefined ? [spec] : [spec, options.timeFrom];
  const prepared = await prepare(input, tracefsOption(options));
  const main = prepared.plan.probes[0] as PlannedProbe;
  const { values, cond } = valuesOf(prepared.plan, main);
  const names = options.values ?? values.map((v) => v.name);
  const keyed = names.map((n) => argument(main, values, n));
  const withProcess = options.withProcess === true;
  const parts = keyParts(keyed, withProcess);
  const timed = options.timeFrom !== undefined;
  const b = new Builder(options);
  return build(b, () => {
    const stats = b.stats();
    const km = new KeyedMap(b, 'values', parts, timed, options.maxKeys ?? 10240);
    const stamps = timed ? b.stamps(Math.max(10240, options.maxKeys ?? 0)) : null;
    const measure: Measure | undefined = stamps
      ? { kind: 'elapsed', stampsFd: stamps.fd, index: 0, requireStamp: false }
      : undefined;
    b.run(
      'values',
      targetOf(main),
      keyedProgram({
        ...b.filter,
        mapFd: km.map.fd,
        key: parts,
        ...(measure ? { measure, sum: true } : {}),
        ...(cond ? { cond } : {}),
        statsFd: stats.fd,
      }),
    );
    if (stamps) {
      const entry = prepared.plan.probes[1] as PlannedProbe;
      b.run('stamp', targetOf(entry), stampProgram({ ...b.filter, stampsFd: stamps.fd, index: 0 }));
    }
    const first = withProcess ? 2 : 0;
    const read = (o: { readonly reset?: boolean } = {}): ValueCount[] => {
      const rows = new Map<string, { row: ValueCount; count: number; totalNs: bigint }>();
      for (const [k, v] of readEntries(km.map, o.reset === true)) {
        const { id, ...key } = rowKey(km, k, keyed, withProcess, first);
        const had = rows.get(id);
        const count = (had?.count ?? 0) + countOf(v);
        const totalNs = (had?.totalNs ?? 0n) + sumOf(v);
        const row = had?.row ?? { ...key, count: 0, totalNs: 0n };
        rows.set(id, { row, count, totalNs });
      }
      return [...rows.values()]
        .map((r) => ({ ...r.row, count: r.count, totalNs: r.totalNs }))
        .filter((r) => r.count > 0);
    };
    return { ...common(b, prepared, stats), names, read };
  });
}

export interface ValueStatsOptions extends AggregateOptions {
  /** The argument measured: its count, sum, min and max per key (default: the probe's first). */
  readonly measure?: string;
  /** The arguments that make the key, in order (default: none, one row for every event). */
  readonly values?: readonly string[];
  /** Key also on the process and its task name. */
  readonly withProcess?: boolean;
}

export interface ValueStats {
  /** The key's argument values, typed as trace() gives them (number below 8 bytes, bigint at 8). */
  readonly values: Readonly<Record<string, bigint | number>>;
  readonly tgid: number | null;
  readonly comm: string | null;
  readonly count: number;
  /** Sum of the measure (signed when the argument is; wraps at 64 bits). */
  readonly sum: bigint;
  /** Smallest and largest measure, typed as trace() gives the argument. */
  readonly min: bigint | number;
  readonly max: bigint | number;
}

export interface ValueStatsAggregation extends Aggregation {
  /** The argument names of the key, in order. */
  readonly names: readonly string[];
  /** The argument measured. */
  readonly measure: string;
  /** Stats by key since the start (or the last reset); `reset` starts a new interval. */
  read(options?: { readonly reset?: boolean }): ValueStats[];
}

/**
 * Count, sum, min and max of one argument of a probe, by the values of
 * others, in the kernel, under the probe's filter (bpftrace's count(), sum(),
 * min(), max()). Min and max are updated by compare-and-swap (keyed.ts).
 */
export async function valueStats(
  spec: string | ProbeSpec,
  options: ValueStatsOptions = {},
): Promise<ValueStatsAggregation> {
  checkOptions(options);
  requireBpf();
  const prepared = await prepare([spec], tracefsOption(options));
  const main = prepared.plan.probes[0] as PlannedProbe;
  const { values, cond } = valuesOf(prepared.plan, main);
  const measured = argument(main, values, options.measure ?? (values[0] as Value).name);
  const names = options.values ?? [];
  const keyed = names.map((n) => argument(main, values, n));
  const withProcess = options.withProcess === true;
  const parts = keyParts(keyed, withProcess);
  const { size, signed } = measured.scalar;
  const b = new Builder(options);
  return build(b, () => {
    const stats = b.stats();
    // An empty key is one constant part: every event under the same key.
    const key: KeyPart[] = parts.length > 0 ? parts : [{ kind: 'const', value: 0 }];
    const km = new KeyedMap(b, 'stats', key, 'stats', options.maxKeys ?? 10240);
    b.run(
      'stats',
      targetOf(main),
      keyedProgram({
        ...b.filter,
        mapFd: km.map.fd,
        key,
        measure: { kind: 'operand', operand: { kind: 'ctx', scalar: measured.scalar } },
        stats: true,
        ...(cond ? { cond } : {}),
        statsFd: stats.fd,
      }),
    );
    const first = withProcess ? 2 : 0;
    const read = (o: { readonly reset?: boolean } = {}): ValueStats[] => {
      const rows = new Map<string, ValueStats>();
      for (const [k, v] of readEntries(km.map, o.reset === true)) {
        const { id, ...at } = rowKey(km, k, keyed, withProcess, first);
        const min = intValue(dv(v).getBigUint64(VALUE_MIN, true), size, signed);
        const max = intValue(dv(v).getBigUint64(VALUE_MAX, true), size, signed);
        const row = { ...at, count: countOf(v), sum: sumOf(v), min, max };
        const had = rows.get(id);
        rows.set(
          id,
          had
            ? {
                ...had,
                count: had.count + row.count,
                sum: had.sum + row.sum,
                min: ordered(row.min, had.min)[0],
                max: ordered(row.max, had.max)[1],
              }
            : row,
        );
      }
      return [...rows.values()]
        .filter((r) => r.count > 0)
        .map((r) => ({ ...r, sum: signed ? BigInt.asIntN(64, r.sum) : BigInt.asUintN(64, r.sum) }));
    };
    return { ...common(b, prepared, stats), names, measure: measured.name, read };
  });
}

/** Two values of one argument, smaller first (Math.min takes no bigint). */
function ordered(a: bigint | number, b: bigint | number): [bigint | number, bigint | number] {
  return a <= b ? [a, b] : [b, a];
}

/** Linear buckets like bpftrace's lhist(value, min, max, step). */
export interface LinearOptions {
  readonly min: number | bigint;
  readonly max: number | bigint;
  readonly step: number | bigint;
}

export interface ValueHistogramOptions extends AggregateOptions {
  /** The argument (default: the probe's first). */
  readonly field?: string;
  /** Linear buckets instead of log2 ones. */
  readonly linear?: LinearOptions;
}

export interface ValueHistogram<H extends Log2Histogram | LinearHistogram = Log2Histogram>
  extends Aggregation {
  /** The argument the histogram is of. */
  readonly field: string;
  /**
   * The histogram since the start (or the last reset). Log2: negative values
   * are in bucket 0. Linear: below min and at max or above have a bucket each.
   */
  read(options?: { readonly reset?: boolean }): H;
}

/** The linear bounds as a histogram, checked at the door. */
function linearOf(l: LinearOptions, v: Value): LinearHistogram {
  let h: LinearHistogram;
  try {
    h = new LinearHistogram(l.min, l.max, l.step);
  } catch (e) {
    throw new UsageError('E_USAGE', (e as Error).message);
  }
  if (h.buckets.length > MAX_LINEAR_BUCKETS)
    throw new UsageError(
      'E_USAGE',
      `linear histogram: ${h.buckets.length} buckets is too many (at most ${MAX_LINEAR_BUCKETS})`,
      { hint: 'use a larger step' },
    );
  if (!v.scalar.signed && h.min < 0n)
    throw new UsageError('E_USAGE', `linear histogram: ${v.name} is unsigned, min must be >= 0`);
  return h;
}

/**
 * A histogram of one argument of a probe (the first by default), in the
 * kernel, under the probe's filter: log2 buckets, or linear ones with `linear`.
 */
export async function valueHistogram(
  spec: string | ProbeSpec,
  options: ValueHistogramOptions & { readonly linear: LinearOptions },
): Promise<ValueHistogram<LinearHistogram>>;
export async function valueHistogram(
  spec: string | ProbeSpec,
  options?: ValueHistogramOptions & { readonly linear?: undefined },
): Promise<ValueHistogram>;
export async function valueHistogram(
  spec: string | ProbeSpec,
  options: ValueHistogramOptions = {},
): Promise<ValueHistogram<Log2Histogram | LinearHistogram>> {
  checkOptions(options);
  requireBpf();
  const prepared = await prepare([spec], tracefsOption(options));
  const main = prepared.plan.probes[0] as PlannedProbe;
  const { values, cond } = valuesOf(prepared.plan, main);
  const field = argument(main, values, options.field ?? (values[0] as Value).name);
  const linear = options.linear === undefined ? null : linearOf(options.linear, field);
  const b = new Builder(options);
  return build(b, () => {
    const stats = b.stats();
    const parts: KeyPart[] = [
      linear
        ? { kind: 'linear', min: linear.min, max: linear.max, step: linear.step }
        : { kind: 'log2' },
    ];
    const km = new KeyedMap(b, 'hist', parts, false, linear ? linear.buckets.length + 2 : 128);
    b.run(
      'hist',
      targetOf(main),
      keyedProgram({
        ...b.filter,
        mapFd: km.map.fd,
        key: parts,
        measure: {
          kind: 'operand',
          operand: { kind: 'ctx', scalar: field.scalar },
          clampNegative: linear === null,
        },
        ...(cond ? { cond } : {}),
        statsFd: stats.fd,
      }),
    );
    return {
      ...common(b, prepared, stats),
      field: field.name,
      read: (o: { readonly reset?: boolean } = {}) => {
        const entries = readEntries(km.map, o.reset === true).sort(
          (x, y) => km.u32(x[0], 0) - km.u32(y[0], 0),
        );
        if (linear) {
          const h = new LinearHistogram(linear.min, linear.max, linear.step);
          for (const [k, v] of entries) h.addIndex(km.u32(k, 0), countOf(v));
          return h;
        }
        const h = new Log2Histogram();
        for (const [k, v] of entries) addBucket(h, km.u32(k, 0), countOf(v));
        return h;
      },
    };
  });
}
