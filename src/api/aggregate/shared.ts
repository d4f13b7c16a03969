/**
 * What the in-kernel aggregations share: their options, the builder that owns
 * programs and maps (and closes them all when building fails), keyed-map readers.
 */
import type { Log2Histogram } from '../../analysis/histogram.js';
import { type AttachTarget, attach, describe, progTypeFor } from '../../bpf/attach.js';
import { whyNoBpf } from '../../bpf/availability.js';
import { bytes, type Codec, comm as commCodec, u32, u64 } from '../../bpf/codec.js';
import { hasFeature, requireFeature } from '../../bpf/features.js';
import {
  type KeyPart,
  keyedValueSize,
  keyLayout,
  STAT_FULL,
  STAT_SLOTS,
} from '../../bpf/gen/keyed.js';
import { STAMP_KEY_SIZE } from '../../bpf/gen/latency.js';
import { MAX_EXCLUDED } from '../../bpf/gen/process.js';
import type { Insn } from '../../bpf/insn/types.js';
import { type BpfMap, createMap, sum } from '../../bpf/map.js';
import { Owner } from '../../bpf/owner.js';
import { loadProgram } from '../../bpf/prog.js';
import { createStackMap, type StackMap } from '../../bpf/stack.js';
import { UnsupportedError, UsageError } from '../../errors.js';
import { bpfAttachTarget } from '../../plan/bpf/target.js';
import type { PlannedProbe } from '../../plan/types.js';
import type { Prepared } from '../prepare.js';

export interface AggregateOptions {
  /** Count only this process (all its threads); filtered in the kernel. Children are not followed. */
  readonly pid?: number;
  /** Leave these processes out (a tracer passes its own pid). */
  readonly exclude?: readonly number[];
  /** tracefs root for the preflight; found from /proc/mounts when absent. */
  readonly tracefs?: string;
  /** Most distinct keys a hash map keeps (default 10240); events with a new key past that are counted as dropped. */
  readonly maxKeys?: number;
}

/** What every in-kernel aggregation has. */
export interface Aggregation extends Disposable {
  readonly backend: 'bpf';
  readonly prepared: Prepared;
  /** Programs loaded and attached. */
  readonly programs: number;
  /** Where each program is attached (`uprobe /bin/x:0x1139`), in the order of the probes. */
  readonly attached: readonly string[];
  /** Events that could not be counted because a map was full. */
  dropped(): number;
  /** Detaches and releases every program and map (idempotent). */
  close(): void;
}

export function unsupported(what: string): UnsupportedError {
  return new UnsupportedError('bpf-aggregate', `${what} cannot be aggregated in the kernel`, {
    hint: 'use --backend tracefs (or auto, which falls back to it)',
  });
}

export function requireBpf(): void {
  const why = whyNoBpf();
  if (why !== null)
    throw new UnsupportedError('bpf', `in-kernel aggregation cannot run here: ${why}`, {
      hint: 'run as root, or use --backend tracefs',
    });
}

export function checkOptions(o: AggregateOptions): void {
  if (o.pid !== undefined && !(Number.isInteger(o.pid) && o.pid > 0))
    throw new UsageError('E_USAGE', `pid must be a positive integer, got ${o.pid}`);
  if ((o.exclude?.length ?? 0) > MAX_EXCLUDED)
    throw new UsageError('E_USAGE', `at most ${MAX_EXCLUDED} processes can be left out`);
}

/** Program sets of one aggregation; closes everything when building fails. */
export class Builder {
  readonly owner = new Owner();
  programs = 0;
  readonly attached: string[] = [];
  readonly #filter: { tgid?: number; exclude?: readonly number[] };

  constructor(o: AggregateOptions) {
    this.#filter = {
      ...(o.pid === undefined ? {} : { tgid: o.pid }),
      ...(o.exclude === undefined ? {} : { exclude: o.exclude }),
    };
  }

  get filter(): { tgid?: number; exclude?: readonly number[] } {
    return this.#filter;
  }

  map<K, V>(
    type: 'hash' | 'lru_hash' | 'percpu_array',
    name: string,
    key: Codec<K>,
    value: Codec<V>,
    maxEntries: number,
  ): BpfMap<K, V> {
    return this.owner.add(createMap({ type, name, key, value, maxEntries }));
  }

  /** Statistics of what was not counted (keyed.ts STAT_*). */
  stats(): BpfMap<number, bigint> {
    return this.map('percpu_array', 'stats', u32, u64, STAT_SLOTS);
  }

  /** Entry stamps per thread; an LRU map where there is one, so stale stamps make room. */
  stamps(maxKeys: number): BpfMap<Uint8Array, bigint> {
    const type = hasFeature('lru_hash') ? 'lru_hash' : 'hash';
    return this.map(type, 'stamps', bytes(STAMP_KEY_SIZE), u64, maxKeys);
  }

  /** A stack trace map for bpf_get_stackid key parts (bpf/stack.ts). */
  stacks(maxEntries: number): StackMap {
    requireFeature('stack_trace');
    return this.owner.add(createStackMap('stacks', maxEntries));
  }

  run(name: string, target: AttachTarget, insns: Insn[]): void {
    const prog = this.owner.add(loadProgram({ type: progTypeFor(target), name, insns }));
    this.owner.add(attach(prog, target));
    this.programs++;
    this.attached.push(describe(target));
  }
}

export function build<T>(b: Builder, f: () => T): T {
  try {
    return f();
  } catch (e) {
    b.owner.close();
    throw e;
  }
}

export function targetOf(p: PlannedProbe): AttachTarget {
  return bpfAttachTarget(p);
}

/** The fields every aggregation has; call it once every program is attached. */
export function common(b: Builder, prepared: Prepared, stats: BpfMap<number, bigint>) {
  const close = (): void => b.owner.close();
  return {
    backend: 'bpf' as const,
    prepared,
    programs: b.programs,
    attached: [...b.attached],
    dropped: () => statOf(stats, STAT_FULL),
    close,
    [Symbol.dispose]: close,
  };
}

export function statOf(stats: BpfMap<number, bigint>, slot: number): number {
  return Number(sum(stats.lookupPerCpu(slot) ?? []));
}

export function readEntries(
  map: BpfMap<Uint8Array, Uint8Array>,
  reset: boolean,
): [Uint8Array, Uint8Array][] {
  if (reset) return map.take();
  return [...map.entries()].map(([k, v]) => [k, v[0] as Uint8Array]);
}

export const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Values {count, sum} of keyed maps. */
export function countOf(v: Uint8Array): number {
  return Number(dv(v).getBigUint64(0, true));
}
export function sumOf(v: Uint8Array): bigint {
  return v.length >= 16 ? dv(v).getBigUint64(8, true) : 0n;
}

/** A keyed map and its layout, with readers for each part. */
export class KeyedMap {
  readonly map: BpfMap<Uint8Array, Uint8Array>;
  readonly parts: readonly KeyPart[];
  readonly offsets: readonly number[];

  constructor(
    b: Builder,
    name: string,
    parts: readonly KeyPart[],
    /** The value layout (keyed.ts): true is 'sum'. */
    withSum: Parameters<typeof keyedValueSize>[0],
    max: number,
  ) {
    const layout = keyLayout(parts);
    this.parts = parts;
    this.offsets = layout.offsets;
    this.map = b.map('hash', name, bytes(layout.size), bytes(keyedValueSize(withSum)), max);
  }

  u32(key: Uint8Array, part: number): number {
    return dv(key).getUint32(this.offsets[part] as number, true);
  }

  u64(key: Uint8Array, part: number): bigint {
    return dv(key).getBigUint64(this.offsets[part] as number, true);
  }

  comm(key: Uint8Array, part: number): string {
    const at = this.offsets[part] as number;
    return commCodec.decode(key.subarray(at, at + 16));
  }
}

/** A Log2Histogram (bucket 0: 0 and 1; bucket i: [2^i, 2^(i+1))) from the kernel's buckets (k: [2^(k-1), 2^k)). */
export function addBucket(h: Log2Histogram, kernelBucket: number, count: number): void {
  h.add(kernelBucket === 0 ? 0n : 1n << BigInt(kernelBucket - 1), count);
}

export function tracefsOption(o: AggregateOptions): { tracefs?: string; pid?: number } {
  return {
    ...(o.tracefs === undefined ? {} : { tracefs: o.tracefs }),
    ...(o.pid === undefined ? {} : { pid: o.pid }),
  };
}
