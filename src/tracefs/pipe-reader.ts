/**
 * Reads a tracefs pipe file (trace_pipe, per_cpu/cpuN/trace_pipe_raw) without
 * ever blocking: the fd is O_NONBLOCK and polled, so the reader can be stopped
 * at any moment and the fd closed synchronously (an instance cannot be removed
 * while a file in it is open). Reads are synchronous and never pending, so a
 * close never races an in-flight read.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PipeReaderOptions {
  /** Bytes per read; for trace_pipe_raw, the sub-buffer size (one page per read). */
  readonly chunkSize: number;
  /** Longest pause between polls when the pipe is empty, ms. */
  readonly maxIdleMs?: number;
}

export class PipeReader {
  private fd: number | null;
  private readonly buf: Buffer;
  private readonly maxIdleMs: number;

  constructor(path: string, options: PipeReaderOptions) {
    this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    this.buf = Buffer.allocUnsafe(options.chunkSize);
    this.maxIdleMs = options.maxIdleMs ?? 50;
  }

  get open(): boolean {
    return this.fd !== null;
  }

  /** One non-blocking read: the bytes read (a copy), or null when the pipe is empty or closed. */
  readNow(): Buffer | null {
    if (this.fd === null) return null;
    try {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      return n > 0 ? Buffer.from(this.buf.subarray(0, n)) : null;
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

  /** Yields batches of chunks until closed. Polls faster while data flows. */
  async *chunks(): AsyncGenerator<Buffer[]> {
    let idle = 1;
    while (this.fd !== null) {
      const batch = this.drain();
      if (batch.length > 0) {
        idle = 1;
        yield batch;
      } else {
        await sleep(idle);
        idle = Math.min(this.maxIdleMs, idle * 2);
      }
    }
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }
}
