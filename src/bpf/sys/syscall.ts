/**
 * The only code that makes raw system calls: bpf(), perf_event_open(), ioctl(),
 * mmap(), munmap(), close() and the epoll calls readers wait with, through
 * koffi's libc bindings. Every function
 * returns the kernel's result, or a negative errno; callers turn that into a
 * structured error (see errno.ts). libc is bound on first use.
 */
import koffi from 'koffi';
import { UnsupportedError } from '../../errors.js';
import { SYSCALL_NR } from './numbers.js';

interface Libc {
  bpf: (nr: number, cmd: number, attr: Uint8Array, size: number) => number;
  perf: (
    nr: number,
    attr: Uint8Array,
    pid: number,
    cpu: number,
    group: number,
    flags: number,
  ) => number;
  ioctl: (fd: number, req: number, arg: number) => number;
  mmap: (addr: null, len: number, prot: number, flags: number, fd: number, off: number) => bigint;
  munmap: (addr: bigint, len: number) => number;
  close: (fd: number) => number;
  sysconf: (name: number) => number;
  epollCreate: (flags: number) => number;
  epollCtl: (epfd: number, op: number, fd: number, ev: Uint8Array) => number;
  epollWait: {
    async: (
      epfd: number,
      events: Uint8Array,
      max: number,
      timeout: number,
      cb: (err: unknown, res: number) => void,
    ) => void;
  };
  nr: { bpf: number; perf_event_open: number };
}

let libc: Libc | undefined;

function bind(): Libc {
  if (libc) return libc;
  const nr = (SYSCALL_NR as Record<string, { bpf: number; perf_event_open: number }>)[process.arch];
  if (!nr || process.platform !== 'linux') {
    throw new UnsupportedError(
      'bpf-syscall',
      `BPF needs Linux on a known architecture; this is ${process.platform}/${process.arch}`,
    );
  }
  const lib = koffi.load('libc.so.6');
  // syscall(2) is variadic; fixed prototypes pass integer and pointer
  // arguments in the same registers on every supported ABI.
  libc = {
    nr,
    bpf: lib.func('long syscall(long nr, long cmd, void *attr, ulong size)'),
    perf: lib.func(
      'long syscall(long nr, void *attr, long pid, long cpu, long group_fd, ulong flags)',
    ),
    ioctl: lib.func('int ioctl(int fd, ulong req, ulong arg)'),
    mmap: lib.func('uintptr_t mmap(void *addr, size_t len, int prot, int flags, int fd, long off)'),
    munmap: lib.func('int munmap(uintptr_t addr, size_t len)'),
    close: lib.func('int close(int fd)'),
    sysconf: lib.func('long sysconf(int name)'),
    epollCreate: lib.func('int epoll_create1(int flags)'),
    epollCtl: lib.func('int epoll_ctl(int epfd, int op, int fd, void *event)'),
    epollWait: lib.func('int epoll_wait(int epfd, void *events, int max, int timeout)'),
  };
  return libc;
}

function result(r: number | bigint): number {
  const n = Number(r);
  return n < 0 ? -koffi.errno() : n;
}

/** bpf(cmd, attr, sizeof attr) → result or -errno. */
export function sysBpf(cmd: number, attr: Uint8Array): number {
  const l = bind();
  return result(l.bpf(l.nr.bpf, cmd, attr, attr.byteLength));
}

/** perf_event_open(attr, pid, cpu, group_fd, flags) → fd or -errno. */
export function sysPerfEventOpen(
  attr: Uint8Array,
  pid: number,
  cpu: number,
  groupFd: number,
  flags: number,
): number {
  const l = bind();
  return result(l.perf(l.nr.perf_event_open, attr, pid, cpu, groupFd, flags));
}

/** ioctl(fd, req, integer arg) → result or -errno. */
export function sysIoctl(fd: number, req: number, arg: number): number {
  return result(bind().ioctl(fd, req, arg));
}

/** mmap(NULL, len, prot, MAP_SHARED, fd, off) → address, or a negative errno as a number. */
export function sysMmap(len: number, prot: number, fd: number, off: number): bigint | number {
  const l = bind();
  const addr = BigInt(l.mmap(null, len, prot, 1, fd, off));
  if (addr === 0xffffffffffffffffn) return -koffi.errno();
  return addr;
}

export function sysMunmap(addr: bigint, len: number): number {
  return result(bind().munmap(addr, len));
}

export function sysClose(fd: number): number {
  return result(bind().close(fd));
}

/** The address of a buffer's first byte, for pointer fields in kernel structures. */
export function addressOf(buf: Uint8Array): bigint {
  return BigInt(koffi.address(buf)) + 0n;
}

/** An ArrayBuffer over `len` bytes of mapped memory at `addr` (no copy). */
export function memoryView(addr: bigint, len: number): ArrayBuffer {
  return koffi.view(addr, len);
}

const SC_PAGESIZE = 30; // _SC_PAGESIZE in glibc

/** The kernel's page size (mmap offsets and ring buffer sizes are multiples of it). */
export function pageSize(): number {
  return Number(bind().sysconf(SC_PAGESIZE));
}

const EPOLL_CLOEXEC = 0o2000000;
const EPOLL_CTL_ADD = 1;
const EPOLLIN = 1;

/** epoll_create1(EPOLL_CLOEXEC) → fd or -errno. */
export function sysEpollCreate(): number {
  return result(bind().epollCreate(EPOLL_CLOEXEC));
}

/** Watch `fd` for input. The event struct is 12 bytes (packed) on x86_64, 16 elsewhere. */
export function sysEpollAdd(epfd: number, fd: number): number {
  const ev = new Uint8Array(16);
  new DataView(ev.buffer).setUint32(0, EPOLLIN, true);
  return result(bind().epollCtl(epfd, EPOLL_CTL_ADD, fd, ev));
}

/**
 * epoll_wait on a worker thread: resolves with the number of ready fds, 0 on
 * timeout or interruption (errno is not visible from the worker).
 */
export function sysEpollWait(epfd: number, timeoutMs: number): Promise<number> {
  const events = new Uint8Array(16 * 64);
  return new Promise((resolve, reject) => {
    bind().epollWait.async(epfd, events, 64, timeoutMs, (err, res) => {
      if (err) reject(err);
      else resolve(Math.max(0, Number(res)));
    });
  });
}
