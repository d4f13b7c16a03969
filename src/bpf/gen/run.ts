/**
 * Ready-to-run generated programs: create the maps, generate and load the
 * program, attach it, and return one object that reads the results and owns
 * every fd (close() releases them all, in reverse order).
 */
import { type Attachment, type AttachTarget, attach, progTypeFor } from '../attach.js';
import { type Codec, comm, u32, u64 } from '../codec.js';
import type { Insn } from '../insn/types.js';
import { type BpfMap, createMap, sum } from '../map.js';
import { Owner } from '../owner.js';
import { loadProgram, type Program } from '../prog.js';
import { createRingBuffer, type RingBuffer } from '../ringbuf.js';
import type { CtxScalar } from './context.js';
import { type CountKey, countProgram } from './count.js';
import { bucketRange, histProgram, LOG2_BUCKETS } from './hist.js';
import { type BpfRecord, decodeRecord, recordProgram } from './record.js';

interface Running {
  readonly program: Program;
  readonly attachment: Attachment;
  /** Milliseconds from the start of the call to the attached program. */
  readonly startMs: number;
  close(): void;
}

function loadAndAttach(owner: Owner, name: string, target: AttachTarget, insns: Insn[]) {
  const program = owner.add(loadProgram({ type: progTypeFor(target), name, insns }));
  const attachment = owner.add(attach(program, target));
  return { program, attachment };
}

function guarded<T>(owner: Owner, f: () => T): T {
  try {
    return f();
  } catch (e) {
    owner.close();
    throw e;
  }
}

export type CountKeyValue<K extends CountKey> = K extends { by: 'comm' }
  ? string
  : K extends { by: 'pid' }
    ? number
    : bigint;

export interface Counter<K extends CountKey> extends Running {
  readonly map: BpfMap<CountKeyValue<K>, bigint>;
  /** Every key and its count. */
  counts(): Map<CountKeyValue<K>, bigint>;
  total(): bigint;
}

export interface CountOptions<K extends CountKey> {
  readonly target: AttachTarget;
  readonly key: K;
  readonly tgid?: number;
  readonly maxEntries?: number;
}

/** Count events in the kernel by pid, comm or a context value. */
export function startCounter<K extends CountKey>(o: CountOptions<K>): Counter<K> {
  const t0 = performance.now();
  const owner = new Owner();
  return guarded(owner, () => {
    const codec = (o.key.by === 'pid' ? u32 : o.key.by === 'comm' ? comm : u64) as Codec<
      CountKeyValue<K>
    >;
    const map = owner.add(
      createMap({
        type: 'hash',
        name: 'count',
        key: codec,
        value: u64,
        maxEntries: o.maxEntries ?? 10240,
      }),
    );
    const insns = countProgram(
      o.tgid === undefined
        ? { mapFd: map.fd, key: o.key }
        : { mapFd: map.fd, key: o.key, tgid: o.tgid },
    );
    const { program, attachment } = loadAndAttach(owner, 'count', o.target, insns);
    const startMs = performance.now() - t0;
    const counts = () => new Map([...map.entries()].map(([k, v]) => [k, sum(v)]));
    return {
      map,
      program,
      attachment,
      startMs,
      counts,
      total: () => sum([...counts().values()]),
      close: () => owner.close(),
    };
  });
}

export interface Log2Bucket {
  readonly low: bigint;
  /** Exclusive. */
  readonly high: bigint;
  readonly count: bigint;
}

export interface Histogram extends Running {
  readonly map: BpfMap<number, bigint>;
  /** Non-empty buckets, lowest first. */
  buckets(): Log2Bucket[];
}

/** A log2 histogram of a context value. */
export function startLog2Hist(o: {
  target: AttachTarget;
  value: CtxScalar;
  tgid?: number;
}): Histogram {
  const t0 = performance.now();
  const owner = new Owner();
  return guarded(owner, () => {
    const map = owner.add(
      createMap({
        type: 'percpu_array',
        name: 'hist',
        key: u32,
        value: u64,
        maxEntries: LOG2_BUCKETS,
      }),
    );
    const insns = histProgram(
      o.tgid === undefined
        ? { mapFd: map.fd, value: o.value }
        : { mapFd: map.fd, value: o.value, tgid: o.tgid },
    );
    const { program, attachment } = loadAndAttach(owner, 'hist', o.target, insns);
    const startMs = performance.now() - t0;
    return {
      map,
      program,
      attachment,
      startMs,
      buckets: () => {
        const out: Log2Bucket[] = [];
        for (let k = 0; k < LOG2_BUCKETS; k++) {
          const count = sum(map.lookupPerCpu(k) ?? []);
          if (count === 0n) continue;
          const [low, high] = bucketRange(k);
          out.push({ low, high, count });
        }
        return out;
      },
      close: () => owner.close(),
    };
  });
}

export interface RecordStream extends Running {
  readonly ring: RingBuffer;
  /** Read pending records. */
  poll(onRecord: (r: BpfRecord) => void): number;
  /** Wait for records (epoll), up to timeoutMs (≤ 1 s); true when some are ready. */
  wait(timeoutMs: number): Promise<boolean>;
  /** Records the kernel dropped because the ring was full. */
  drops(): bigint;
}

/** Stream pid, tgid, timestamp, comm and the given values of every event through a ring buffer. */
export function startRecordStream(o: {
  target: AttachTarget;
  values: readonly CtxScalar[];
  tgid?: number;
  /** Ring size in bytes (power of two). */
  size?: number;
}): RecordStream {
  const t0 = performance.now();
  const owner = new Owner();
  return guarded(owner, () => {
    const ring = owner.add(createRingBuffer('events', o.size ?? 1 << 22));
    const dropsMap = owner.add(
      createMap({ type: 'array', name: 'drops', key: u32, value: u64, maxEntries: 1 }),
    );
    const base = { ringbufFd: ring.fd, values: o.values, dropsFd: dropsMap.fd };
    const insns = recordProgram(o.tgid === undefined ? base : { ...base, tgid: o.tgid });
    const { program, attachment } = loadAndAttach(owner, 'events', o.target, insns);
    const startMs = performance.now() - t0;
    const n = o.values.length;
    return {
      ring,
      program,
      attachment,
      startMs,
      poll: (cb) => ring.poll((data) => cb(decodeRecord(data, n))),
      wait: (ms) => ring.wait(ms),
      drops: () => dropsMap.lookup(0) ?? 0n,
      close: () => owner.close(),
    };
  });
}
