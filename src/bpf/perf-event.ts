/** perf_event_open wrappers: build the attr as data, open with O_CLOEXEC, report errno clearly. */

import { errnoName, syscallError } from './sys/errno.js';
import { type FieldValues, PerfEventAttr, pack } from './sys/layout.js';
import { PERF_FLAG_FD_CLOEXEC, PerfAttrFlag } from './sys/numbers.js';
import { addressOf, sysIoctl, sysPerfEventOpen } from './sys/syscall.js';

/** What an errno from perf_event_open usually means for a probe. */
const PERF_OPEN_HINTS = {
  ENOENT: 'the probed function, file or tracepoint does not exist',
  EINVAL: 'check the probe offset (must be an instruction boundary) and the event type',
  EACCES: 'needs root, or CAP_PERFMON (see /proc/sys/kernel/perf_event_paranoid)',
  EPERM: 'needs root, or CAP_PERFMON (see /proc/sys/kernel/perf_event_paranoid)',
  EBUSY: 'another tool holds this probe exclusively',
} as const satisfies Record<string, string>;

export interface PerfOpenArgs {
  readonly attr: FieldValues<typeof PerfEventAttr>;
  readonly pid: number;
  readonly cpu: number;
  /** What is being opened, for the error message. */
  readonly what: string;
  /** Buffers that pointer fields point into (kept alive across the call). */
  readonly keep?: readonly Uint8Array[];
  readonly hint?: string;
}

export function perfEventOpen(a: PerfOpenArgs): number {
  const attr = pack(PerfEventAttr, { size: PerfEventAttr.size, ...a.attr });
  const fd = sysPerfEventOpen(attr, a.pid, a.cpu, -1, PERF_FLAG_FD_CLOEXEC);
  void a.keep;
  if (fd < 0) {
    const errno = -fd;
    const hint = a.hint ?? (PERF_OPEN_HINTS as Record<string, string>)[errnoName(errno)];
    throw syscallError(
      `perf_event_open for ${a.what}`,
      errno,
      {
        type: a.attr.type,
        config: a.attr.config,
        pid: a.pid,
        cpu: a.cpu,
      },
      hint,
    );
  }
  return fd;
}

export function perfIoctl(fd: number, req: number, arg: number, what: string): void {
  const r = sysIoctl(fd, req, arg);
  if (r < 0) throw syscallError(what, -r, { fd, request: `0x${req.toString(16)}`, arg });
}

export const DISABLED = PerfAttrFlag.disabled;

/** A NUL-terminated copy of a string, and its address, for config1-style pointer fields. */
export function cstr(s: string): [Uint8Array, bigint] {
  const b = new TextEncoder().encode(`${s}\0`);
  return [b, addressOf(b)];
}
