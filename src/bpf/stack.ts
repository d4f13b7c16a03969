/**
 * Stack trace maps (BPF_MAP_TYPE_STACK_TRACE): a program calls
 * bpf_get_stackid(ctx, map, flags), which stores the current kernel (or user)
 * stack in the map and returns its u32 id, or a negative errno (-EEXIST when
 * another stack has the same hash bucket, -EFAULT when the stack cannot be
 * walked, -ENOMEM when the map is full). User space looks an id up to get the
 * instruction pointers: innermost first, zero after the last frame.
 */
import { readFileSync } from 'node:fs';
import { type Codec, u32 } from './codec.js';
import { type BpfMap, createMap } from './map.js';
import { PERF_MAX_STACK_DEPTH } from './sys/numbers.js';

/** u64 ips[depth], read up to the first zero. */
export function stackCodec(depth: number): Codec<bigint[]> {
  return {
    size: depth * 8,
    encode: (v, b) => {
      const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < depth; i++) d.setBigUint64(i * 8, BigInt.asUintN(64, v[i] ?? 0n), true);
    },
    decode: (b) => {
      const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const out: bigint[] = [];
      for (let i = 0; i < depth; i++) {
        const ip = d.getBigUint64(i * 8, true);
        if (ip === 0n) break;
        out.push(ip);
      }
      return out;
    },
  };
}

/**
 * Frames a stack map value holds: PERF_MAX_STACK_DEPTH (127), or less when
 * kernel.perf_event_max_stack is lower (map creation fails above it).
 */
export function stackDepth(path = '/proc/sys/kernel/perf_event_max_stack'): number {
  try {
    const n = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(n) && n > 0) return Math.min(n, PERF_MAX_STACK_DEPTH);
  } catch {
    // No sysctl: the kernel's default.
  }
  return PERF_MAX_STACK_DEPTH;
}

export type StackMap = BpfMap<number, bigint[]>;

/** A stack trace map: u32 id → ips. `maxEntries` distinct stacks (rounded up to a power of two buckets). */
export function createStackMap(name: string, maxEntries: number, depth = stackDepth()): StackMap {
  return createMap({
    type: 'stack_trace',
    name,
    key: u32,
    value: stackCodec(depth),
    maxEntries,
  });
}

/** The ips of a stack id, innermost first; undefined for a negative id or one not in the map. */
export function readStack(map: StackMap, id: number): bigint[] | undefined {
  if (id < 0) return undefined;
  return map.lookup(id);
}
