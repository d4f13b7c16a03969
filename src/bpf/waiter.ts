/** Block (off the main thread) until one of some fds is readable: epoll through the syscall module. */
import { syscallError } from './sys/errno.js';
import { sysClose, sysEpollAdd, sysEpollCreate, sysEpollWait } from './sys/syscall.js';

export class Waiter {
  readonly #epfd: number;
  #closed = false;
  #inFlight: Promise<number> | undefined;

  constructor(fds: readonly number[]) {
    const ep = sysEpollCreate();
    if (ep < 0) throw syscallError('epoll_create1', -ep);
    this.#epfd = ep;
    for (const fd of fds) {
      const r = sysEpollAdd(ep, fd);
      if (r < 0) {
        sysClose(ep);
        throw syscallError('epoll_ctl(EPOLL_CTL_ADD)', -r, { fd });
      }
    }
  }

  /** Resolves true when data is ready, false after `timeoutMs` (bounded to 1 s so close() is never blocked for long). */
  async wait(timeoutMs: number): Promise<boolean> {
    if (this.#closed) return false;
    const p = sysEpollWait(this.#epfd, Math.max(0, Math.min(1000, Math.floor(timeoutMs))));
    this.#inFlight = p;
    try {
      return (await p) > 0;
    } finally {
      if (this.#inFlight === p) this.#inFlight = undefined;
    }
  }

  /** Close the epoll fd; a wait in flight finishes on its own (it holds the kernel file). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    sysClose(this.#epfd);
  }
}
