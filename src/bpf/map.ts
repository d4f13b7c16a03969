/**
 * Maps: a MapSpec describes one (pure data); BpfMap is the live object that
 * holds the fd. Per-CPU maps return a value per possible CPU, or their sum.
 */
import { UsageError } from '../errors.js';
import type { Codec } from './codec.js';
import { possibleCpus } from './cpus.js';
import { objectName } from './names.js';
import {
  mapCreate,
  mapDelete,
  mapLookup,
  mapLookupAndDelete,
  mapNextKey,
  mapUpdate,
  objInfo,
} from './sys/bpf.js';
import { MapInfo, readField } from './sys/layout.js';
import { MapType, type MapTypeName, UpdateFlags } from './sys/numbers.js';
import { sysClose } from './sys/syscall.js';

export interface MapSpec<K, V> {
  readonly type: MapTypeName;
  /** Name suffix; the kernel sees `probekit_<name>` cut to 15 characters. */
  readonly name: string;
  readonly key: Codec<K>;
  readonly value: Codec<V>;
  readonly maxEntries: number;
  readonly flags?: number;
}

const PER_CPU: ReadonlySet<MapTypeName> = new Set(['percpu_hash', 'percpu_array']);

export class BpfMap<K, V> {
  readonly fd: number;
  readonly spec: MapSpec<K, V>;
  readonly name: string;
  #closed = false;
  #takeInOne = true;

  constructor(fd: number, spec: MapSpec<K, V>) {
    this.fd = fd;
    this.spec = spec;
    this.name = objectName(spec.name);
  }

  get perCpu(): boolean {
    return PER_CPU.has(this.spec.type);
  }

  #key(k: K): Uint8Array {
    const b = new Uint8Array(this.spec.key.size);
    this.spec.key.encode(k, b);
    return b;
  }

  #stride(): number {
    return Math.ceil(this.spec.value.size / 8) * 8;
  }

  #valueBuf(): Uint8Array {
    return new Uint8Array(
      this.perCpu ? this.#stride() * possibleCpus().length : this.spec.value.size,
    );
  }

  /** The value, or undefined when the key is absent. Per-CPU maps: the first CPU's (use lookupPerCpu). */
  lookup(k: K): V | undefined {
    const vals = this.lookupPerCpu(k);
    return vals?.[0];
  }

  /** One value per possible CPU (a single-element array for ordinary maps). */
  lookupPerCpu(k: K): V[] | undefined {
    const v = this.#valueBuf();
    if (!mapLookup(this.fd, this.#key(k), v)) return undefined;
    return this.#split(v);
  }

  #split(v: Uint8Array): V[] {
    if (!this.perCpu) return [this.spec.value.decode(v)];
    const stride = this.#stride();
    const out: V[] = [];
    for (let o = 0; o < v.length; o += stride)
      out.push(this.spec.value.decode(v.subarray(o, o + stride)));
    return out;
  }

  /** Insert or replace; `mode` restricts to new keys or existing ones. */
  update(k: K, value: V | readonly V[], mode: keyof typeof UpdateFlags = 'any'): void {
    const buf = this.#valueBuf();
    if (this.perCpu) {
      const stride = this.#stride();
      const vals = Array.isArray(value) ? (value as V[]) : possibleCpus().map(() => value as V);
      vals.forEach((v, i) => {
        this.spec.value.encode(v, buf.subarray(i * stride, (i + 1) * stride));
      });
    } else {
      this.spec.value.encode(value as V, buf);
    }
    mapUpdate(this.fd, this.#key(k), buf, UpdateFlags[mode]);
  }

  /** Returns false when the key was absent. */
  delete(k: K): boolean {
    return mapDelete(this.fd, this.#key(k));
  }

  /**
   * Every entry, each removed as it is read, so that an event counted after
   * its key was taken starts a new entry, read next time. One syscall per key
   * where the kernel has BPF_MAP_LOOKUP_AND_DELETE_ELEM for this map type,
   * else a lookup and a delete. Not for per-CPU maps.
   */
  take(): [K, V][] {
    if (this.perCpu) throw new UsageError('E_USAGE', `take() is not for per-CPU map ${this.name}`);
    const out: [K, V][] = [];
    for (const k of [...this.keys()]) {
      const key = this.#key(k);
      const v = this.#valueBuf();
      if (this.#takeInOne) {
        const r = mapLookupAndDelete(this.fd, key, v);
        if (r === 'taken') out.push([k, this.spec.value.decode(v)]);
        if (r !== 'unsupported') continue;
        this.#takeInOne = false;
      }
      if (!mapLookup(this.fd, key, v)) continue;
      mapDelete(this.fd, key);
      out.push([k, this.spec.value.decode(v)]);
    }
    return out;
  }

  /** Keys in the kernel's order (BPF_MAP_GET_NEXT_KEY). */
  *keys(): Generator<K> {
    let prev: Uint8Array | null = null;
    for (;;) {
      const next = new Uint8Array(this.spec.key.size);
      if (!mapNextKey(this.fd, prev, next)) return;
      yield this.spec.key.decode(next);
      prev = next;
    }
  }

  /** [key, value] pairs; per-CPU maps give every CPU's value. */
  *entries(): Generator<[K, V[]]> {
    for (const k of this.keys()) {
      const v = this.lookupPerCpu(k);
      if (v !== undefined) yield [k, v];
    }
  }

  /** The kernel's id (as `bpftool map list` shows it). */
  id(): number {
    return Number(readField(MapInfo, objInfo(this.fd, MapInfo.size), 'id'));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    sysClose(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Sum per-CPU bigint values. */
export function sum(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

export function createMap<K, V>(spec: MapSpec<K, V>): BpfMap<K, V> {
  if (!Number.isInteger(spec.maxEntries) || spec.maxEntries <= 0) {
    throw new UsageError(
      'E_BPF_MAP_SPEC',
      `map ${spec.name}: maxEntries must be a positive integer, got ${spec.maxEntries}`,
    );
  }
  const fd = mapCreate({
    type: MapType[spec.type],
    keySize: spec.key.size,
    valueSize: spec.value.size,
    maxEntries: spec.maxEntries,
    flags: spec.flags ?? 0,
    name: objectName(spec.name),
  });
  return new BpfMap(fd, spec);
}
