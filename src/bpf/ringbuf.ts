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

export class RingBuffer {
  readonly fd: number;
  readonly size: number;
  readonly name: string;
  #page: number;
  #cons: bigint;
  #prod: bigint;
  #consView: DataView;
  #prodView: DataView;
  #data: Uint8Array;
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
    this.#data = new Uint8Array(prod, this.#page, 2 * size);
  }

  /** Bytes written by the kernel and not yet consumed. */
  pending(): bigint {
    return this.#prodView.getBigUint64(0, true) - this.#consView.getBigUint64(0, true);
  }

  /**
   * Hand every complete record to `onRecord` (a copy, safe to keep) and
   * release its space. Returns the number of records read.
   */
  poll(onRecord: (data: Uint8Array) => void, max = Number.POSITIVE_INFINITY): number {
    if (this.#closed) throw new UsageError('E_BPF_CLOSED', `ring buffer ${this.name} is closed`);
    const mask = BigInt(this.size - 1);
    let cons = this.#consView.getBigUint64(0, true);
    let n = 0;
    const dv = new DataView(this.#data.buffer, this.#data.byteOffset, this.#data.byteLength);
    while (n < max) {
      const prod = this.#prodView.getBigUint64(0, true);
      if (cons >= prod) break;
      const at = Number(cons & mask);
      const len = dv.getUint32(at, true);
      if (len & BUSY) break;
      const body = len & ~(BUSY | DISCARD) & 0x3fffffff;
      const step = Math.ceil((body + HDR) / 8) * 8;
      if (!(len & DISCARD)) {
        onRecord(this.#data.slice(at + HDR, at + HDR + body));
        n++;
      }
      cons += BigInt(step);
      // Release the space every 64 records, and at the end: fewer stores, the kernel still gets room early.
      if ((n & 63) === 0) this.#consView.setBigUint64(0, cons, true);
    }
    this.#consView.setBigUint64(0, cons, true);
    return n;
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
