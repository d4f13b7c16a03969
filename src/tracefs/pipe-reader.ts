/**
 * Reads a tracefs pipe file (trace_pipe, per_cpu/cpuN/trace_pipe_raw) without
 * ever blocking: the fd is O_NONBLOCK and polled, so the reader can be stopped
 * at any moment and the fd closed synchronously (an instance cannot be removed
 * while a file in it is open). Reads are synchronous and never pending, so a
 * close never races an in-flight read.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';

export interface PipeReaderOptions {
  /** Bytes per read; for trace_pipe_raw, the sub-buffer size (one page per read). */
  readonly chunkSize: number;
  /**
   * Whether a chunk shows the reader has caught up with the writer (a page
   * not yet full); fill() stops after one. Default: never (fill() reads until
   * the pipe is empty: right for trace_pipe, whose reads consume what they return).
   */
  readonly caughtUp?: (chunk: Buffer) => boolean;
}

export class PipeReader {
  private fd: number | null;
  private buf: Buffer;
  private readonly chunkSize: number;
  private readonly caughtUp: (chunk: Buffer) => boolean;
  /** Chunks read ahead of decoding (fill), oldest first from `head`. */
  private queue: Buffer[] = [];
  private head = 0;
  private queuedBytes = 0;

  constructor(path: string, options: PipeReaderOptions) {
    this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    this.chunkSize = options.chunkSize;
    this.buf = Buffer.allocUnsafe(options.chunkSize);
    this.caughtUp = options.caughtUp ?? (() => false);
  }

  get open(): boolean {
    return this.fd !== null;
  }

  /** One non-blocking read: the bytes read (a copy), or null when the pipe is empty or closed. */
  readNow(): Buffer | null {
    if (this.fd === null) return null;
    try {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      if (n <= 0) return null;
      // A full read keeps the buffer itself (no copy) and the next read gets a new one.
      if (n < this.chunkSize) return Buffer.from(this.buf.subarray(0, n));
      const out = this.buf;
      this.buf = Buffer.allocUnsafe(this.chunkSize);
      return out;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') return null;
      throw e;
    }
  }

  /** Reads everything available now, up to `maxReads` reads. */
  drain(maxReads = 1024): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < maxReads; i++) {
      const b = this.readNow();
      if (b === null) break;
      out.push(b);
    }
    return out;
  }

  /**
   * Reads everything the kernel holds now into this reader's own queue, while
   * fewer than maxQueuedBytes are queued: copying pages out is far cheaper than
   * decoding them, so the kernel buffer empties quickly even while a slow
   * consumer works through earlier events. It stops at the first chunk that
   * shows the writer's current page (caughtUp), and after maxReads reads:
   * reading on would only cut the writer's page into many tiny ones.
   * Returns the bytes read.
   */
  fill(maxQueuedBytes: number, maxReads = 1024): number {
    let got = 0;
    for (let i = 0; i < maxReads && this.queuedBytes < maxQueuedBytes; i++) {
      const b = this.readNow();
      if (b === null) break;
      this.queue.push(b);
      this.queuedBytes += b.length;
      got += b.length;
      if (this.caughtUp(b)) break;
    }
    return got;
  }

  /** Bytes read by fill() and not yet taken. */
  get queued(): number {
    return this.queuedBytes;
  }

  /** Takes up to maxChunks chunks queued by fill(), oldest first. */
  take(maxChunks = Number.POSITIVE_INFINITY): Buffer[] {
    const end = Math.min(this.queue.length, this.head + maxChunks);
    const out = this.queue.slice(this.head, end);
    for (const b of out) this.queuedBytes -= b.length;
    this.head = end;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    closeSync(fd);
  }
}
