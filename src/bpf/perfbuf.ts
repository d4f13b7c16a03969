/**
 * Per-CPU perf buffers for bpf_perf_event_output: a PERF_EVENT_ARRAY map whose
 * slot N holds a software BPF_OUTPUT perf event opened on CPU N, each with its
 * own mmap'ed ring:
 *
 *   page 0       struct perf_event_mmap_page (data_head, data_tail, data_offset, data_size)
 *   pages 1..2^n records: { u32 type, u16 misc, u16 size } + body, wrapping
 *
 * PERF_RECORD_SAMPLE bodies hold { u32 size, raw bytes }; PERF_RECORD_LOST
 * bodies { u64 id, u64 lost } become `{ type: 'lost', cpu, count, source: 'bpf' }`.
 */
import { UsageError } from '../errors.js';
import type { DecodeErrorEvent, LostEvent } from '../stream/types.js';
import { onlineCpus, possibleCpus } from './cpus.js';
import { objectName } from './names.js';
import { perfEventOpen } from './perf-event.js';
import { mapCreate, mapUpdate } from './sys/bpf.js';
import { syscallError } from './sys/errno.js';
import { PerfMmapPage } from './sys/layout.js';
import {
  MapType,
  Mmap,
  PERF_COUNT_SW_BPF_OUTPUT,
  PERF_SAMPLE_RAW,
  PerfRecord,
  PerfType,
} from './sys/numbers.js';
import { memoryView, pageSize, sysClose, sysMmap, sysMunmap } from './sys/syscall.js';
import { Waiter } from './waiter.js';

const off = PerfMmapPage.fields;

export type PerfItem =
  | { readonly type: 'sample'; readonly cpu: number; readonly data: Uint8Array }
  | LostEvent
  | DecodeErrorEvent;

interface CpuRing extends PerfRing {
  readonly fd: number;
  readonly addr: bigint;
  readonly len: number;
}

export class PerfBuffer {
  /** The PERF_EVENT_ARRAY map fd to pass to bpf_perf_event_output. */
  readonly mapFd: number;
  readonly name: string;
  #rings: CpuRing[] = [];
  #closed = false;
  #waiter: Waiter | undefined;

  constructor(mapFd: number, name: string) {
    this.mapFd = mapFd;
    this.name = name;
  }

  /** Internal: add a CPU's ring. */
  addRing(r: CpuRing): void {
    this.#rings.push(r);
  }

  /** Read every pending record of every CPU. Returns the number of items delivered. */
  poll(onItem: (item: PerfItem) => void): number {
    if (this.#closed) throw new UsageError('E_BPF_CLOSED', `perf buffer ${this.name} is closed`);
    let n = 0;
    for (const r of this.#rings) n += readPerfRing(r, onItem);
    return n;
  }

  /** Wait until a CPU's ring has data (epoll on the perf fds), up to `timeoutMs` (≤ 1 s). */
  async wait(timeoutMs: number): Promise<boolean> {
    if (this.#closed) return false;
    this.#waiter ??= new Waiter(this.#rings.map((r) => r.fd));
    return this.#waiter.wait(timeoutMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiter?.close();
    for (const r of this.#rings) {
      sysMunmap(r.addr, r.len);
      sysClose(r.fd);
    }
    this.#rings = [];
    sysClose(this.mapFd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** One CPU's ring: its metadata page and its data pages. */
export interface PerfRing {
  readonly cpu: number;
  readonly meta: DataView;
  readonly data: Uint8Array;
}

/** Deliver every record between data_tail and data_head, then advance data_tail. */
export function readPerfRing(r: PerfRing, onItem: (item: PerfItem) => void): number {
  // Atomics.load: the kernel publishes data_head after writing the records, and the JIT
  // must not move the record reads before this read (a plain DataView read may be).
  const head = Atomics.load(
    new BigInt64Array(r.meta.buffer, r.meta.byteOffset + off.data_head.offset, 1),
    0,
  );
  let tail = r.meta.getBigUint64(off.data_tail.offset, true);
  const size = BigInt(r.data.length);
  let n = 0;
  while (tail < head) {
    const start = Number(tail % size);
    const hdr = copy(r.data, start, 8);
    const hv = new DataView(hdr.buffer);
    const type = hv.getUint32(0, true);
    const recSize = hv.getUint16(6, true);
    if (recSize < 8) {
      // A corrupt header: report it and skip to the head rather than spin.
      onItem({
        type: 'decode-error',
        cpu: r.cpu,
        message: `perf record of size ${recSize} at ${start}`,
      });
      tail = head;
      break;
    }
    const body = copy(r.data, (start + 8) % r.data.length, recSize - 8);
    const bv = new DataView(body.buffer);
    if (type === PerfRecord.SAMPLE && body.length >= 4) {
      const len = bv.getUint32(0, true);
      onItem({ type: 'sample', cpu: r.cpu, data: body.slice(4, 4 + len) });
      n++;
    } else if (type === PerfRecord.LOST && body.length >= 16) {
      onItem({ type: 'lost', cpu: r.cpu, count: Number(bv.getBigUint64(8, true)), source: 'bpf' });
      n++;
    }
    tail += BigInt(recSize);
  }
  r.meta.setBigUint64(off.data_tail.offset, tail, true);
  return n;
}

/** `len` bytes from a ring starting at `start`, wrapping at the end. */
function copy(ring: Uint8Array, start: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const first = Math.min(len, ring.length - start);
  out.set(ring.subarray(start, start + first));
  if (first < len) out.set(ring.subarray(0, len - first), first);
  return out;
}

/** Create the map and one ring of `pagesPerCpu` pages (a power of two) on each online CPU. */
export function createPerfBuffer(name: string, pagesPerCpu = 64): PerfBuffer {
  if (pagesPerCpu < 1 || (pagesPerCpu & (pagesPerCpu - 1)) !== 0) {
    throw new UsageError(
      'E_BPF_PERFBUF_SIZE',
      `pages per CPU must be a power of two, got ${pagesPerCpu}`,
    );
  }
  const full = objectName(name);
  const mapFd = mapCreate({
    type: MapType.perf_event_array,
    keySize: 4,
    valueSize: 4,
    maxEntries: possibleCpus().length,
    name: full,
  });
  const pb = new PerfBuffer(mapFd, full);
  const page = pageSize();
  const len = page * (1 + pagesPerCpu);
  try {
    for (const cpu of onlineCpus()) {
      const fd = perfEventOpen({
        what: `BPF output buffer on CPU ${cpu}`,
        attr: {
          type: PerfType.software,
          config: BigInt(PERF_COUNT_SW_BPF_OUTPUT),
          sample_type: BigInt(PERF_SAMPLE_RAW),
          sample_period: 1n,
          wakeup_events: 1,
        },
        pid: -1,
        cpu,
      });
      const addr = sysMmap(len, Mmap.PROT_READ | Mmap.PROT_WRITE, fd, 0);
      if (typeof addr === 'number') {
        sysClose(fd);
        throw syscallError(`mmap of the perf buffer on CPU ${cpu}`, -addr, { len });
      }
      const ab = memoryView(addr, len);
      pb.addRing({
        cpu,
        fd,
        addr,
        len,
        meta: new DataView(ab, 0, page),
        data: new Uint8Array(ab, page, page * pagesPerCpu),
      });
      const key = new Uint8Array(4);
      new DataView(key.buffer).setUint32(0, cpu, true);
      const val = new Uint8Array(4);
      new DataView(val.buffer).setUint32(0, fd, true);
      mapUpdate(mapFd, key, val, 0);
    }
  } catch (e) {
    pb.close();
    throw e;
  }
  return pb;
}
