/**
 * BPF ring buffer (BPF_MAP_TYPE_RINGBUF, 5.8+) read through mmap:
 *
 *   offset 0          consumer page (rw): u64 consumer_pos
 *   offset page       producer page (ro): u64 producer_pos
 *   offset 2 × page   data, mapped twice in a row so a record that wraps is contiguous
 *
 * Each record: u32 len (bit 31 BUSY: being written, bit 30 DISCARD) and a u32
 * page offset, then len bytes, padded to 8. poll() reads what is there;
 * wait() blocks on epoll off the main thread until the kernel signals data.
 */
import { KernelError, UsageError } from '../errors.js';
import { objectName } from './names.js';
import { mapCreate } from './sys/bpf.js';
import { syscallError } from './sys/errno.js';
import { MapType, Mmap } from './sys/numbers.js';
import { memoryView, pageSize, sysClose, sysMmap, sysMunmap } from './sys/syscall.js';
import { Waiter } from './waiter.js';

const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const HDR = 8;

function mmapOrThrow(len: number, prot: number, fd: number, off: number, what: string): bigint {
  const a = sysMmap(len, prot, fd, off);
  if (typeof a === 'number') throw syscallError(`mmap of ${what}`, -a, { len, off });
  return a;
}

/** Records copied out of the ring: the bytes, and [offset, length] of each record in them. */
export interface RecordSpan {
  readonly bytes: Uint8Array;
  readonly records: readonly number[];
}

export class RingBuffer {
  readonly fd: number;
  readonly size: number;
  readonly name: string;
  #page: number;
  #cons: bigint;
  #prod: bigint;
  #consView: DataView;
  #prodView: DataView;
  /** producer_pos, read with Atomics.load so the JIT cannot move the record reads before it. */
  #prodPos: BigInt64Array;
  #data: Uint8Array;
  /** The data area as 32-bit words, for the record headers' length words (Atomics.load). */
  #words: Int32Array;
  #closed = false;
  #waiter: Waiter | undefined;

  constructor(fd: number, size: number, name: string) {
    this.fd = fd;
    this.size = size;
    this.name = name;
    this.#page = pageSize();
    this.#cons = mmapOrThrow(
      this.#page,
      Mmap.PROT_READ | Mmap.PROT_WRITE,
      fd,
      0,
      'ring buffer consumer page',
    );
    try {
      this.#prod = mmapOrThrow(
        this.#page + 2 * size,
        Mmap.PROT_READ,
        fd,
        this.#page,
        'ring buffer data',
      );
    } catch (e) {
      sysMunmap(this.#cons, this.#page);
      throw e;
    }
    this.#consView = new DataView(memoryView(this.#cons, this.#page));
    const prod = memoryView(this.#prod, this.#page + 2 * size);
    this.#prodView = new DataView(prod, 0, this.#page);
    this.#prodPos = new BigInt64Array(prod, 0, 1);
    this.#data = new Uint8Array(prod, this.#page, 2 * size);
    this.#words = new Int32Array(prod, this.#page, (2 * size) / 4);
  }

  /** Bytes written by the kernel and not yet consumed. */
  pending(): bigint {
    return this.#prodView.getBigUint64(0, true) - this.#consView.getBigUint64(0, true);
  }

  /**
   * Copy out the complete records there are (up to `max`) and release their
   * space: one copy of the span they occupy, and where each record lies in it.
   * Null when there is nothing to read.
   */
  take(max = Number.POSITIVE_INFINITY): RecordSpan | null {
    if (this.#closed) throw new UsageError('E_BPF_CLOSED', `ring buffer ${this.name} is closed`);
    const mask = BigInt(this.size - 1);
    const start = this.#consView.getBigUint64(0, true);
    // The kernel writes a record's header, then publishes producer_pos (a release store);
    // Atomics.load keeps these reads in that order here (a plain DataView read may be
    // scheduled earlier by the JIT, and see a header not yet written).
    const prod = Atomics.load(this.#prodPos, 0);
    const base = Number(start & mask);
    // Find the complete records first: [offset in the span, length], discarded ones skipped.
    const found: number[] = [];
    let cons = start;
    while (found.length / 2 < max && cons < prod) {
      const at = Number(cons & mask);
      const len = Atomics.load(this.#words, at >> 2) >>> 0;
      if (len & BUSY) break;
      const body = len & ~(BUSY | DISCARD) & 0x3fffffff;
      // Every record has a body; a zero length word is a header not yet visible: read it next time.
      if (body === 0) break;
      if (!(len & DISCARD)) found.push(Number(cons - start) + HDR, body);
      cons += BigInt(Math.ceil((body + HDR) / 8) * 8);
    }
    if (cons === start) return null;
    // The data area is mapped twice in a row, so the span is contiguous even when it wraps.
    const bytes = this.#data.slice(base, base + Number(cons - start));
    this.#consView.setBigUint64(0, cons, true);
    return { bytes, records: found };
  }

  /**
   * Hand every complete record to `onRecord` (a copy, safe to keep: views into
   * one copy of the span they occupy) and release its space. Returns the
   * number of records read.
   */
  poll(onRecord: (data: Uint8Array) => void, max = Number.POSITIVE_INFINITY): number {
    const span = this.take(max);
    if (span === null) return 0;
    const r = span.records;
    for (let i = 0; i < r.length; i += 2) {
      const off = r[i] as number;
      onRecord(span.bytes.subarray(off, off + (r[i + 1] as number)));
    }
    return r.length / 2;
  }

  /** Wait until the kernel signals new data (epoll on the map fd), up to `timeoutMs` (≤ 1 s). */
  async wait(timeoutMs: number): Promise<boolean> {
    if (this.#closed) return false;
    if (this.pending() > 0n) return true;
    this.#waiter ??= new Waiter([this.fd]);
    return this.#waiter.wait(timeoutMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiter?.close();
    sysMunmap(this.#prod, this.#page + 2 * this.size);
    sysMunmap(this.#cons, this.#page);
    sysClose(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Create a ring buffer map of `size` bytes (a power of two, at least one page) and map it. */
export function createRingBuffer(name: string, size: number): RingBuffer {
  const page = pageSize();
  if (size < page || (size & (size - 1)) !== 0) {
    throw new UsageError(
      'E_BPF_RINGBUF_SIZE',
      `ring buffer size must be a power of two of at least ${page} bytes, got ${size}`,
    );
  }
  const full = objectName(name);
  let fd: number;
  try {
    fd = mapCreate({
      type: MapType.ringbuf,
      keySize: 0,
      valueSize: 0,
      maxEntries: size,
      name: full,
    });
  } catch (e) {
    if (e instanceof KernelError && e.details['errnoName'] === 'EINVAL') {
      throw new KernelError('E_BPF_RINGBUF', 'this kernel has no BPF ring buffer (needs 5.8+)', {
        cause: e,
      });
    }
    throw e;
  }
  try {
    return new RingBuffer(fd, size, full);
  } catch (e) {
    sysClose(fd);
    throw e;
  }
}
