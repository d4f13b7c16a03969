/** errno values from bpf(2)/perf_event_open(2) turned into errors a user can act on. */
import { constants } from 'node:os';
import { KernelError } from '../../errors.js';

const NAMES = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n, name] as [number, string]),
);

/** 'EPERM' for 1; `errno 4242` when unknown. */
export function errnoName(n: number): string {
  return NAMES.get(n) ?? `errno ${n}`;
}

/** Generic hints by errno name; callers add a more specific one when they know better. */
export const ERRNO_HINTS = {
  EPERM: 'needs root, or CAP_BPF and CAP_PERFMON (and CAP_SYS_ADMIN on older kernels)',
  EACCES: 'the verifier refused the program, or the caller lacks CAP_BPF',
  E2BIG: 'a size is larger than the kernel accepts (attr size, program length, map size)',
  EINVAL: 'the kernel rejected an argument; check the values listed above',
  ENOENT: 'the object does not exist (tracepoint, map key, file)',
  ENOMEM: 'the kernel could not allocate memory; try fewer map entries or raise RLIMIT_MEMLOCK',
  ENOSPC: 'the buffer was too small',
  EBUSY: 'the object is already in use (another program attached?)',
  ENOTSUPP: 'the kernel does not support this operation',
  EOPNOTSUPP: 'the kernel does not support this operation',
  ENOSYS: 'this kernel was built without this syscall (CONFIG_BPF_SYSCALL, CONFIG_PERF_EVENTS)',
  EBADF: 'a file descriptor was not valid (already closed?)',
  EEXIST: 'the key already exists',
  EMFILE: 'too many open files; raise the limit (ulimit -n)',
} as const satisfies Record<string, string>;

/** An error for a failed syscall: `what failed: EINVAL (hint)`, with the passed values in details. */
export function syscallError(
  what: string,
  errno: number,
  passed: Record<string, unknown> = {},
  hint?: string,
): KernelError {
  const name = errnoName(errno);
  const shown = Object.entries(passed)
    .map(([k, v]) => `${k}=${typeof v === 'bigint' ? `0x${v.toString(16)}` : String(v)}`)
    .join(' ');
  const generic = (ERRNO_HINTS as Record<string, string>)[name];
  return new KernelError('E_BPF_SYSCALL', `${what}: ${name}${shown ? ` (passed ${shown})` : ''}`, {
    hint: hint ?? generic,
    details: { errno, errnoName: name, ...passed },
  });
}
